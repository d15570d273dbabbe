package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.camel.ServiceStatus;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runtime as integration engineers run it in staging: a routes folder they edit while deletions stream through,
 * the management port their monitoring reads.
 */
@ExtendWith(RealServers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StagingOperationsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "delete.user." + UUID.randomUUID();
    private static final String TEMPLATES = """
            # a route template and a route made from it, as integration engineers add them
            - routeTemplate:
                id: answer-template
                parameters:
                  - name: name
                from:
                  uri: "direct:{{name}}"
                  steps:
                    - setBody:
                        constant: "answered by {{name}}"
            - templatedRoute:
                routeTemplateRef: answer-template
                routeId: templated-answer
                parameters:
                  - name: name
                    value: templated-answer
            """;

    private static final String MONITORING_PASSWORD = UUID.randomUUID().toString();

    private static Path routes;
    private static CapturedLogs logs;
    private static RunningRouter router;
    private static Management management;
    private static SunbirdContent content;
    private static DeletionEvents events;

    @BeforeAll
    static void startStagingRuntime() throws Exception {
        routes = Files.createDirectories(Path.of("target", "staging-routes-" + UUID.randomUUID()));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Files.writeString(routes.resolve("90-templated-answer.camel.yaml"), TEMPLATES);
        // the management port answers only the monitoring user (Vert.x property-file users, as operators mount them)
        Path users = Files.writeString(routes.resolveSibling(routes.getFileName() + "-management-users.properties"),
                "user.monitoring = " + MONITORING_PASSWORD + ",monitor\nrole.monitor = *\n");
        logs = CapturedLogs.capture();
        try (Connection db = LedgerDatabase.connect()) {
            db.createStatement().execute("CREATE TABLE IF NOT EXISTS staging_profile (user_id text, name text, email text, username text)");
        }
        content = new SunbirdContent(RealServers.get());
        router = RunningRouter.start(Map.ofEntries(
                Map.entry("camel.main.routes-include-pattern", "file:" + routes.toAbsolutePath() + "/*.camel.yaml"),
                Map.entry("erasure.routes.reload-enabled", "true"),
                Map.entry("erasure.routes.reload-directory", routes.toAbsolutePath().toString()),
                Map.entry("erasure.kafka.topics", TOPIC),
                Map.entry("erasure.kafka.dead-letter-topic", TOPIC + ".dlq"),
                Map.entry("erasure.kafka.group-id", "staging-" + UUID.randomUUID()),
                Map.entry("erasure.stores", "neo4j,cassandra,elasticsearch,redis,jdbc"),
                Map.entry("erasure.jdbc.table.profile.table", "staging_profile"),
                Map.entry("erasure.jdbc.table.profile.action", "obfuscate"),
                Map.entry("erasure.jdbc.table.profile.columns", "name, email:null, username:null"),
                Map.entry("erasure.jdbc.batch-interval-ms", "200"),
                Map.entry("erasure.jdbc.queue-table", "staging_batches"),
                Map.entry("erasure.retry.maximum-redeliveries", "1"),
                Map.entry("erasure.retry.initial-delay-ms", "200"),
                Map.entry("erasure.health.check-timeout-ms", "3000"),
                Map.entry("camel.management.authentication-enabled", "true"),
                Map.entry("camel.management.basic-properties-file", users.toAbsolutePath().toString())));
        management = Management.of(router, "monitoring", MONITORING_PASSWORD);
        events = DeletionEvents.producer();
    }

    @AfterAll
    static void stopRuntime() throws Exception {
        RunningRouter.closeAll(events, content, router, logs);
    }

    @Test
    @Order(1)
    void reportsEachRequiredStoreAndTheKafkaConsumerOnTheHealthEndpointAndReadinessFollowsAStoreDownAndBackUp() throws Exception {
        HttpResponse<String> ready = management.await("/observe/health/ready", r -> r.statusCode() == 200, WAIT);
        HttpResponse<String> health = management.get("/observe/health?exposureLevel=full");
        for (String check : List.of("store-neo4j", "store-cassandra", "store-elasticsearch", "store-redis", "store-jdbc", "store-s3")) {
            assertTrue(health.body().contains(check), check + " in " + health.body());
        }
        assertTrue(health.body().contains("consumer:intake"), "the Kafka consumer's check in " + health.body());

        try (AutoCloseable outage = RealServers.get().outage("redis")) {
            HttpResponse<String> down = management.await("/observe/health/ready", r -> r.statusCode() == 503, WAIT);
            assertTrue(down.body().contains("store-redis"), down.body());
            assertTrue(management.get("/observe/health/live").statusCode() == 200, "a store outage does not make the runtime dead");
        }
        management.await("/observe/health/ready", r -> r.statusCode() == 200, WAIT);
    }

    @Test
    @Order(2)
    void answersTheManagementPortOnlyWithTheMonitoringUsersPassword() throws Exception {
        Management anonymous = Management.of(router, null, null);
        Management wrong = Management.of(router, "monitoring", "not-the-password");
        for (String path : List.of("/observe/health", "/observe/health/ready", "/observe/metrics")) {
            assertEquals(401, anonymous.get(path).statusCode(), path);
            assertEquals(401, wrong.get(path).statusCode(), path);
            assertEquals(200, management.get(path).statusCode(), path);
        }
    }

    @Test
    @Order(3)
    void countsConsumedEventsErasedAssetsPerStoreTheEndToEndLatencyAndTheQueuesDepthOnTheMetricsEndpoint() throws Exception {
        String userId = "u-metrics-" + UUID.randomUUID();
        content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, "Metric Name " + UUID.randomUUID());
        events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, "Metric Name", "org-1"));
        assertEquals("DONE", router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0).get("status").asText());

        String metrics = management.get("/observe/metrics").body();
        assertTrue(Management.sample(metrics, "erasure_events_consumed_total") >= 1, metrics);
        assertTrue(Management.sample(metrics, "erasure_store_assets_total", "store=\"neo4j\"") >= 3, metrics);
        assertTrue(Management.sample(metrics, "erasure_store_assets_total", "store=\"redis\"") >= 2, metrics);
        assertTrue(Management.sample(metrics, "erasure_request_latency_seconds_count", "action=\"delete-user\"") >= 1, metrics);
        assertTrue(Management.sample(metrics, "jvm_memory_used_bytes", "area=\"heap\"") > 0, "the JVM's meters");
        for (String queue : List.of("content", "sql")) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("erasure_queue_requests{") && l.contains("queue=\"" + queue + "\"")),
                    "the " + queue + " queue's depth in " + metrics);
        }
        assertTrue(Management.sample(metrics, "erasure_request_latency_seconds_bucket", "action=\"delete-user\"", "le=\"+Inf\"") >= 1,
                "a histogram with buckets");
    }

    @Test
    @Order(4)
    void appliesAnEditedIntakeRouteWhileEventsStreamAndCarriesOutEveryEventExactlyOnce() throws Exception {
        double reloadsBefore = reloads("reloaded");
        double consumedBefore = Management.sample(management.get("/observe/metrics").body(), "erasure_events_consumed_total");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String userId = "u-stream-" + i + "-" + UUID.randomUUID();
            content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, "Streamed Name " + i);
            users.add(userId);
        }
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            try {
                for (String userId : users) {
                    events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, "Streamed Name", "org-1"));
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(2000);
        Path intake = routes.resolve("10-intake.camel.yaml");
        String original = Files.readString(intake);
        edit(intake, original.replace("        - to: micrometer:counter:erasure.events.consumed\n",
                "        - to: micrometer:counter:erasure.events.consumed\n"
                + "        - log: \"staging revision 2 read request from offset ${header.kafka.OFFSET}\"\n"));
        stream.get();

        management.await("/observe/metrics", r -> reloads("reloaded", r.body()) > reloadsBefore, WAIT);
        for (String userId : users) {
            router.api().awaitDoneOnce(userId, WAIT);
        }
        assertFalse(logs.containing("staging revision 2 read request").isEmpty(), "the edited route took effect");
        assertTrue(Management.sample(management.get("/observe/metrics").body(), "erasure_events_consumed_total") >= consumedBefore + users.size(),
                "the counters kept counting across the reload");
        assertEquals(ServiceStatus.Started, router.context().getRouteController().getRouteStatus("templated-answer"));
        assertEquals("answered by templated-answer", router.template().requestBody("direct:templated-answer", null, String.class),
                "the templated route from another file survived the edit");
    }

    @Test
    @Order(5)
    void keepsTheRunningRoutesWhenAnEditedFileDoesNotParseOrItsRouteCannotStartAndReportsIt() throws Exception {
        Path apply = routes.resolve("32-apply-to-stores.camel.yaml");
        String original = Files.readString(apply);

        double failed = reloads("failed");
        edit(apply, original.replace("    id: apply-to-stores\n", "    id: apply-to-stores\n   description: [unclosed\n"));
        awaitFailedReloads(failed + 1);
        assertErasesAUser("after an edit that does not parse");

        String unstartable = original.replace("        - choice:\n            id: batch-deletion-events",
                "        - to: no-such-component:anywhere\n        - choice:\n            id: batch-deletion-events");
        assertNotEquals(original, unstartable);
        edit(apply, unstartable);
        awaitFailedReloads(failed + 2);
        assertEquals(ServiceStatus.Started, router.context().getRouteController().getRouteStatus("apply-to-stores"));
        assertErasesAUser("after an edit whose route cannot start");

        HttpResponse<String> health = management.get("/observe/health?exposureLevel=full");
        assertTrue(health.body().contains("previous routes kept"), health.body());
        assertFalse(logs.containing("32-apply-to-stores.camel.yaml was NOT reloaded").isEmpty());

        edit(apply, original);
        management.await("/observe/health?exposureLevel=full", r -> !r.body().contains("previous routes kept"), WAIT);
        assertErasesAUser("after the file was put back");
        assertEquals("answered by templated-answer", router.template().requestBody("direct:templated-answer", null, String.class));
    }

    @Test
    @Order(6)
    void logsNoNameEmailOrUsernameAtAnyLevelThroughADeletionAStoreOutageARefusedEventAndAReplay() throws Exception {
        String token = "Canary" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String name = "Zoë Łukasiewicz-" + token + " 山田 O'Brien";
        String email = "zoe." + token.toLowerCase() + "@example.org";
        String username = "zoe_" + token.toLowerCase();
        String userId = "u-pii-" + UUID.randomUUID();
        content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, name);
        try (Connection db = LedgerDatabase.connect();
             var insert = db.prepareStatement("INSERT INTO staging_profile VALUES (?, ?, ?, ?)")) {
            insert.setString(1, userId);
            insert.setString(2, name);
            insert.setString(3, email);
            insert.setString(4, username);
            insert.executeUpdate();
        }
        String event = DeletionEvents.deleteUser(userId, name, "org-1");
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        int linesBefore = logs.size();
        root.setLevel(ch.qos.logback.classic.Level.TRACE);
        try {
            events.publish(TOPIC, userId, event.substring(0, event.indexOf(token) + token.length() + 3).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (AutoCloseable outage = RealServers.get().outage("redis")) {
                events.publish(TOPIC, userId, event);
                assertEquals("PARKED", router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0).get("status").asText());
            }
            assertEquals(1, router.api().replay(userId, null));
            // the replay re-ran the cache; its SQL batch may still be running
            assertEquals("DONE", router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0).get("status").asText());
        } finally {
            root.setLevel(level);
        }
        assertTrue(logs.size() - linesBefore > 1000, "everything was logged at TRACE: " + (logs.size() - linesBefore) + " lines");
        assertFalse(logs.containing(userId).isEmpty(), "the user's lines were captured");
        assertFalse(logs.containing("JedisConnectionException").isEmpty(), "the driver's failures were captured");
        for (String pii : List.of(token, token.toLowerCase(), name, email, username)) {
            assertEquals(List.of(), logs.containing(pii), "log lines holding PII");
        }
        assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(name));

        String metrics = management.get("/observe/metrics").body();
        assertTrue(Management.sample(metrics, "erasure_store_failures_total", "store=\"redis\"") >= 2, "both attempts failed");
        assertTrue(Management.sample(metrics, "erasure_store_parked_total", "store=\"redis\"") >= 1);
        assertTrue(Management.sample(metrics, "erasure_requests_replayed_total") >= 1);
        assertTrue(Management.sample(metrics, "erasure_requests_rejected_total", "reason=\"MALFORMED_JSON\"") >= 1);
        assertTrue(Management.sample(metrics, "erasure_store_assets_total", "store=\"jdbc\"") >= 1, "the profile row");
    }

    private static void assertErasesAUser(String when) throws Exception {
        String userId = "u-reload-" + UUID.randomUUID();
        content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, "Reload Name " + UUID.randomUUID());
        events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, "Reload Name", "org-1"));
        assertEquals("DONE", router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0).get("status").asText(), when);
    }

    /** Writes a route file as an editor does: a new file moved over the old one. */
    private static void edit(Path file, String text) throws Exception {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".swp");
        Files.writeString(temporary, text);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitFailedReloads(double count) throws Exception {
        management.await("/observe/metrics", r -> reloads("failed", r.body()) >= count, WAIT);
    }

    private static double reloads(String outcome) throws Exception {
        return reloads(outcome, management.get("/observe/metrics").body());
    }

    private static double reloads(String outcome, String metrics) {
        return Management.sample(metrics, "erasure_routes_reloads_total", "outcome=\"" + outcome + "\"");
    }
}
