package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import redis.clients.jedis.Jedis;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Reconciliation on the real servers: the assets report per organisation and its summary in the S3-compatible store,
 * residual data planted by hand found, re-erased and clean at the next run, one run for two instances triggered
 * together, and a 100,000-asset report in constant heap. The class has a ledger database and a bucket of its own, so
 * its runs see only its users.
 */
@ExtendWith(RealServers.class)
class ReconciliationIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "delete.user.reconcile." + UUID.randomUUID();
    private static final String CSV_HEADER = "userId,username,organisationId,roles,assetIdentifier,assetName,assetStatus,"
            + "objectType,residualStores,erasureStatus";

    private static String database;
    private static String bucket;
    private static RunningRouter router;
    private static SunbirdContent content;
    private static DeletionEvents events;
    private static S3Client s3;

    @BeforeAll
    static void startRuntime() throws Exception {
        database = newDatabase("reconcile");
        bucket = "reports-" + UUID.randomUUID();
        try (Connection db = connect(database)) {
            db.createStatement().execute("CREATE TABLE reconcile_profile (user_id text, email text)");
        }
        content = new SunbirdContent(RealServers.get());
        router = RunningRouter.start(settings(database, bucket));
        events = DeletionEvents.producer();
        s3 = RealServers.get().s3Client();
    }

    @AfterAll
    static void stopRuntime() throws Exception {
        RunningRouter.closeAll(events, content, router, s3);
    }

    @Test
    void reportsEveryAssetOfEachDeletedUserPerOrganisationWithASummaryThatMatches() throws Exception {
        String ada = "u-ada-" + UUID.randomUUID();
        String bob = "u-bob-" + UUID.randomUUID();
        String cyd = "u-cyd-" + UUID.randomUUID();
        Set<String> adaAssets = withoutDrafts(content.seedAssets(prefix(), ada, "Ada Lovelace " + tag(), 12));
        Set<String> cydAssets = withoutDrafts(content.seedAssets(prefix(), cyd, "Cyd Charisse " + tag(), 7));
        erase(ada, "Ada Lovelace", "org-a");
        erase(bob, "Bob Dylan", "org-a");
        erase(cyd, "Cyd Charisse", "org-b");

        JsonNode summary = router.api().reconcile();

        String folder = "reports/delete_user_" + java.time.LocalDate.now(java.time.ZoneOffset.UTC).format(
                java.time.format.DateTimeFormatter.BASIC_ISO_DATE) + "/";
        assertEquals(JSON.readTree(object(folder + "summary.json")), summary, "summary.json is what the trigger answers");
        List<Map<String, String>> orgA = rows(folder + "org-a.csv");
        List<Map<String, String>> orgB = rows(folder + "org-b.csv");
        assertEquals(adaAssets, assetsOf(orgA, ada), "one row per asset Ada created, drafts left out");
        assertEquals(cydAssets, assetsOf(orgB, cyd));
        assertEquals(List.of(""), orgA.stream().filter(r -> r.get("userId").equals(bob)).map(r -> r.get("assetIdentifier")).toList(),
                "a user with no asset has one row");
        for (Map<String, String> row : concat(orgA, orgB)) {
            if (Set.of(ada, bob, cyd).contains(row.get("userId"))) {
                assertEquals("Deleted User", row.get("username"));
                assertEquals("CONTENT_CREATOR", row.get("roles"));
                assertEquals("", row.get("residualStores"));
                assertEquals("DONE", row.get("erasureStatus"));
            }
        }
        Map<String, String> adaRow = orgA.stream().filter(r -> r.get("userId").equals(ada)).findFirst().orElseThrow();
        assertEquals("org-a", adaRow.get("organisationId"));
        assertFalse(adaRow.get("assetStatus").isEmpty() || adaRow.get("objectType").isEmpty() || adaRow.get("assetName").isEmpty(),
                adaRow.toString());

        List<Map<String, String>> all = new ArrayList<>();
        for (JsonNode key : summary.get("reports")) {
            all.addAll(rows(key.asText()));
        }
        assertEquals(all.stream().map(r -> r.get("userId")).distinct().count(), summary.get("usersChecked").asLong());
        assertEquals(all.stream().filter(r -> !r.get("assetIdentifier").isEmpty()).count(), summary.get("assetsListed").asLong());
        String report = object(folder + "org-a.csv") + object(folder + "org-b.csv");
        assertFalse(report.contains("Lovelace") || report.contains("Dylan") || report.contains("Charisse"), "no name in the report");
    }

    @Test
    void findsResidualDataPlantedByHandReErasesItAndIsCleanAtTheNextRun() throws Exception {
        String dee = "u-dee-" + UUID.randomUUID();
        String name = "Dee Dee Ramone " + tag();
        List<String> assets = new ArrayList<>(withoutDrafts(content.seedAssets(prefix(), dee, name, 6)));
        erase(dee, name, "org-c");

        // a restore from an old backup: the name back in a graph node, in a search document's publisher array (only
        // its fingerprint in the ledger can tell), a cache entry, and an SQL row
        try (Driver neo4j = GraphDatabase.driver(RealServers.get().neo4jBoltUrl(), AuthTokens.none())) {
            neo4j.executableQuery("MATCH (n:domain {IL_UNIQUE_ID: $id}) SET n.creator = $name")
                    .withParameters(Map.of("id", assets.get(0), "name", name)).execute();
        }
        elasticsearch("POST", "/compositesearch/_update/" + assets.get(1) + "?refresh=true", JSON.writeValueAsString(
                Map.of("doc", Map.of("lastPublishedBy", dee, "publisher", List.of(name, "Sunbird Org")))));
        try (Jedis redis = new Jedis("127.0.0.1", RealServers.get().redisPort())) {
            redis.set(assets.get(2), "{\"identifier\":\"" + assets.get(2) + "\"}");
        }
        try (Connection db = connect(database)) {
            db.createStatement().execute("INSERT INTO reconcile_profile VALUES ('" + dee + "', 'dee@example.org')");
        }

        JsonNode first = router.api().reconcile();

        assertEquals(Map.of("neo4j", 1, "elasticsearch", 1, "redis", 1, "jdbc", 1),
                JSON.convertValue(first.get("residualsPerStore"), Map.class));
        assertEquals(1, first.get("usersWithResiduals").asInt());
        assertEquals(1, first.get("usersRequeued").asInt());
        List<Map<String, String>> deeRows = rowsOf(first, dee);
        assertEquals(assets.size(), deeRows.size());
        for (Map<String, String> row : deeRows) {
            assertEquals("neo4j;elasticsearch;redis;jdbc", row.get("residualStores"));
            assertEquals("REQUEUED", row.get("erasureStatus"));
        }
        JsonNode request = awaitDone(dee);
        assertEquals(1, request.get("replays").asInt(), request.toString());
        assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(name));
        assertFalse(content.cached(assets.get(2)));
        try (Connection db = connect(database); var rs = db.createStatement().executeQuery(
                "SELECT count(*) FROM reconcile_profile WHERE user_id = '" + dee + "'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }

        JsonNode second = router.api().reconcile();

        assertEquals(0, second.get("usersWithResiduals").asInt(), second.toString());
        for (Map<String, String> row : rowsOf(second, dee)) {
            assertEquals("", row.get("residualStores"));
            assertEquals("DONE", row.get("erasureStatus"));
        }
    }

    @Test
    void twoInstancesTriggeredTogetherProduceOneReport() throws Exception {
        erase("u-eve-" + UUID.randomUUID(), "Eve Arden", "org-d");
        try (RunningRouter other = RunningRouter.start(settings(database, bucket));
             Connection test = connect(database);
             Connection watch = connect(database)) {
            int before = doneRuns();
            // the test holds the runs' lock while both triggers arrive, so they are together whatever the machine's speed
            test.createStatement().execute("SELECT pg_advisory_lock(4711009)");
            ExecutorService callers = Executors.newFixedThreadPool(2);
            Future<JsonNode> one = callers.submit(() -> router.api().reconcile());
            Future<JsonNode> two = callers.submit(() -> other.api().reconcile());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (waitingForTheLock(watch) < 2) {
                assertTrue(System.nanoTime() < deadline, "both triggers wait for the lock");
                Thread.sleep(100);
            }
            test.createStatement().execute("SELECT pg_advisory_unlock(4711009)");
            List<JsonNode> answers = List.of(one.get(), two.get());
            callers.shutdown();

            List<JsonNode> ran = answers.stream().filter(a -> a.has("runId")).toList();
            List<JsonNode> skipped = answers.stream().filter(a -> "SKIPPED".equals(a.path("status").asText())).toList();
            assertEquals(1, ran.size(), answers.toString());
            assertEquals(1, skipped.size(), answers.toString());
            assertEquals(ran.get(0).get("runId"), skipped.get(0).get("latest").get("runId"), "the run answers both triggers");
            assertEquals(before + 1, doneRuns());
        }
    }

    @Test
    void reportsOneHundredThousandAssetsInHeapThatDoesNotGrowWithThem() throws Exception {
        String db = newDatabase("reconcile_heap");
        String heapBucket = "reports-heap-" + UUID.randomUUID();
        Map<String, String> settings = settings(db, heapBucket);
        settings.put("erasure.stores", "neo4j,cassandra,elasticsearch,redis");
        settings.put("erasure.page-size", "500");
        String prefix = "do_heap_" + tag() + "_";
        // the search index exists even if no other test has written to it yet
        HttpResponse<String> index = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                RealServers.get().elasticsearchUrl() + "/compositesearch")).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(index.statusCode() == 200 || index.body().contains("resource_already_exists_exception"), index.body());
        try (RunningRouter heap = RunningRouter.start(settings);
             Driver neo4j = GraphDatabase.driver(RealServers.get().neo4jBoltUrl(), AuthTokens.none())) {
            // a production content graph has these (Sunbird's identifier constraint); without them every page scans the label
            neo4j.executableQuery("CREATE INDEX domain_identifier IF NOT EXISTS FOR (n:domain) ON (n.IL_UNIQUE_ID)").execute();
            neo4j.executableQuery("CREATE INDEX domain_created_by IF NOT EXISTS FOR (n:domain) ON (n.createdBy)").execute();
            neo4j.executableQuery("CALL db.awaitIndexes(300)").execute();
            seedErasedCreators(neo4j, db, prefix, 0, 2, 5_000);
            long smallPeak = peakHeapDuring(() -> assertEquals(10_000, heap.api().reconcile().get("assetsListed").asLong()));

            seedErasedCreators(neo4j, db, prefix, 2, 20, 5_000);
            JsonNode[] summary = new JsonNode[1];
            long largePeak = peakHeapDuring(() -> summary[0] = heap.api().reconcile());

            assertEquals(100_000, summary[0].get("assetsListed").asLong(), summary[0].toString());
            assertEquals(20, summary[0].get("usersChecked").asLong());
            String key = summary[0].get("reports").get(0).asText();
            long lines;
            try (var in = new BufferedReader(new InputStreamReader(s3.getObject(GetObjectRequest.builder().bucket(heapBucket)
                    .key(key).build()), StandardCharsets.UTF_8))) {
                lines = in.lines().count();
            }
            assertEquals(100_001, lines, "a header and one row per asset");
            long size = s3.headObject(b -> b.bucket(heapBucket).key(key)).contentLength();
            System.out.printf("reconciliation heap: peak %d MiB for 10,000 assets, %d MiB for 100,000 assets (report %d bytes, %s)%n",
                    smallPeak >> 20, largePeak >> 20, size, s3.headObject(b -> b.bucket(heapBucket).key(key)).eTag());
            assertTrue(largePeak - smallPeak < 32L << 20, "heap grew by " + ((largePeak - smallPeak) >> 20)
                    + " MiB from 10,000 to 100,000 assets (" + (smallPeak >> 20) + " -> " + (largePeak >> 20) + " MiB)");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static Map<String, String> settings(String database, String bucket) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "erasure.kafka.topics", TOPIC,
                "erasure.kafka.dead-letter-topic", TOPIC + ".dlq",
                "erasure.kafka.group-id", "reconcile-" + database,
                "erasure.stores", "neo4j,cassandra,elasticsearch,redis,jdbc",
                "erasure.jdbc.table.profile.table", "reconcile_profile",
                "erasure.jdbc.batch-interval-ms", "200",
                "erasure.page-size", "100",
                "erasure.elasticsearch.page-size", "100",
                "erasure.s3.bucket", bucket));
        settings.put("erasure.jdbc.url", jdbcUrl(database));
        return settings;
    }

    /** Publishes a deletion and waits until the ledger has it DONE. */
    private static void erase(String userId, String name, String organisation) throws Exception {
        events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, name, organisation));
        router.api().awaitFinished(userId, 1, WAIT);
        assertEquals("DONE", awaitDone(userId).get("status").asText());
    }

    private static JsonNode awaitDone(String userId) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode request = router.api().erasuresOf(userId).get("erasures").get(0);
        while (!"DONE".equals(request.get("status").asText())) {
            assertTrue(System.nanoTime() < deadline, "request of " + userId + " not DONE: " + request);
            Thread.sleep(200);
            request = router.api().erasuresOf(userId).get("erasures").get(0);
        }
        return request;
    }

    /**
     * {@code users} users {@code from..} of an organisation, each the creator of {@code assets} graph nodes already
     * masked, whose deletion the ledger shows finished: what a large reconciliation walks.
     */
    private static void seedErasedCreators(Driver neo4j, String db, String prefix, int from, int to, int assets) throws Exception {
        for (int u = from; u < to; u++) {
            String user = prefix + "user_" + u;
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (int i = 0; i < assets; i++) {
                nodes.add(Map.of("IL_UNIQUE_ID", prefix + u + "_" + i, "IL_FUNC_OBJECT_TYPE", "Content", "name",
                        "Content " + i, "status", "Live", "createdBy", user, "creator", "Deleted User"));
            }
            neo4j.executableQuery("UNWIND $nodes AS n CREATE (c:domain) SET c = n").withParameters(Map.of("nodes", nodes)).execute();
            try (Connection c = connect(db)) {
                c.createStatement().execute("INSERT INTO erasure_request (request_id, user_id, action, organisation_id, status,"
                        + " finished_at) VALUES ('r-" + user + "', '" + user + "', 'delete-user', 'org-big', 'DONE', now())");
            }
        }
    }

    private interface Run {
        void run() throws Exception;
    }

    /** The highest heap in use after a full collection, sampled every second while {@code run} runs. */
    private static long peakHeapDuring(Run run) throws Exception {
        var memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                System.gc();
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        try {
            run.run();
        } finally {
            running.set(false);
            sampler.join();
        }
        return peak.get();
    }

    private static int waitingForTheLock(Connection watch) throws Exception {
        try (var rs = watch.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                + database + "' AND query LIKE 'SELECT pg_try_advisory_lock%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int doneRuns() throws Exception {
        try (Connection c = connect(database);
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM erasure_reconciliation WHERE status = 'DONE'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<Map<String, String>> rowsOf(JsonNode summary, String userId) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        for (JsonNode key : summary.get("reports")) {
            rows(key.asText()).stream().filter(r -> r.get("userId").equals(userId)).forEach(rows::add);
        }
        return rows;
    }

    /** The rows of a CSV report (its fields hold no comma here, so a split is a parse). */
    private static List<Map<String, String>> rows(String key) {
        List<String> lines = object(key).lines().toList();
        assertEquals(CSV_HEADER, lines.get(0));
        String[] columns = CSV_HEADER.split(",");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            assertEquals(columns.length, fields.length, line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < columns.length; i++) {
                row.put(columns[i], fields[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static String object(String key) {
        ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build());
        return bytes.asUtf8String();
    }

    private static Set<String> assetsOf(List<Map<String, String>> rows, String userId) {
        Set<String> assets = new HashSet<>();
        rows.stream().filter(r -> r.get("userId").equals(userId)).forEach(r -> assertTrue(assets.add(r.get("assetIdentifier")), r.toString()));
        return assets;
    }

    private static Set<String> withoutDrafts(List<String> seeded) {
        Set<String> assets = new java.util.TreeSet<>();
        seeded.stream().filter(id -> !id.endsWith(".img")).forEach(assets::add);
        return assets;
    }

    private static List<Map<String, String>> concat(List<Map<String, String>> a, List<Map<String, String>> b) {
        List<Map<String, String>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String newDatabase(String name) throws Exception {
        String db = name + "_" + tag();
        try (Connection c = DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres")) {
            c.createStatement().execute("CREATE DATABASE " + db);
        }
        return db;
    }

    private static String jdbcUrl(String db) {
        return RealServers.get().jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + db + "$1");
    }

    private static Connection connect(String db) throws Exception {
        return DriverManager.getConnection(jdbcUrl(db), "postgres", "postgres");
    }

    private static String elasticsearch(String method, String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RealServers.get().elasticsearchUrl() + path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 300, response.body());
        return response.body();
    }

    private static String prefix() {
        return "do_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8).replace("-", "");
    }
}
