package org.erasurerouter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.erasurerouter.ledger.AppliedRequests;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Deletion events from Kafka through validation, idempotency and the router to every store, proven in the ledger. */
@ExtendWith(RealServers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ErasurePipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "delete.user." + UUID.randomUUID();
    private static final String DLQ = TOPIC + ".dlq";
    private static final List<String> SEEDED_NAMES = new ArrayList<>();

    private static CapturedLogs logs;
    private static RunningRouter router;
    private static SunbirdContent content;
    private static DeletionEvents events;

    @BeforeAll
    static void startRuntime() throws Exception {
        logs = CapturedLogs.capture();
        try (Connection db = LedgerDatabase.connect()) {
            db.createStatement().execute("CREATE TABLE IF NOT EXISTS learner_profile (user_id text, name text, email text)");
        }
        content = new SunbirdContent(RealServers.get());
        router = RunningRouter.start(Map.of(
                "erasure.kafka.topics", TOPIC,
                "erasure.kafka.dead-letter-topic", DLQ,
                "erasure.kafka.group-id", "pipeline-" + UUID.randomUUID(),
                "erasure.stores", "neo4j,cassandra,elasticsearch,redis,jdbc",
                "erasure.jdbc.table.learner.table", "learner_profile",
                "erasure.jdbc.batch-interval-ms", "200",
                "erasure.jdbc.queue-table", "pipeline_batches",
                "erasure.content.queue-table", "pipeline_content_queue",
                "erasure.intake.max-event-bytes", "65536"));
        events = DeletionEvents.producer();
    }

    @AfterAll
    static void stopRuntime() throws Exception {
        RunningRouter.closeAll(events, content, router, logs);
    }

    @Test
    @Order(1)
    void carriesOutADeleteUserEventInEveryStoreAndRecordsEachStoreDone() throws Exception {
        String userId = "u-" + UUID.randomUUID();
        String name = seededName("Ada Lovelace");
        String otherName = seededName("Grace Hopper");
        String prefix = "do_" + UUID.randomUUID().toString().replace("-", "");
        content.seedCreator(prefix, userId, name);
        content.seedCreator(prefix + "_other", "u-other-" + UUID.randomUUID(), otherName);
        insertProfile(userId, name);
        insertProfile("u-keep-" + UUID.randomUUID(), otherName);

        events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, name, "org-1"));

        JsonNode request = router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
        assertEquals("DONE", request.get("status").asText(), request.toString());
        Map<String, Integer> touched = new LinkedHashMap<>();
        request.get("stores").fields().forEachRemaining(s -> {
            assertEquals("DONE", s.getValue().get("status").asText(), s.getKey() + ": " + s.getValue());
            assertEquals(1, s.getValue().get("attempts").asInt(), s.getKey() + ": " + s.getValue());
            touched.put(s.getKey(), s.getValue().get("assetsTouched").asInt());
        });
        // three graph nodes (content, draft, collection), one hierarchy, two documents, two cache keys, one row
        assertEquals(Map.of("neo4j", 3, "cassandra", 1, "elasticsearch", 2, "redis", 2, "jdbc", 1), touched);
        assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(name));
        assertEquals(Map.of("cassandra", 1L, "elasticsearch", 2L, "neo4j", 3L, "redis", 2L), content.copiesOfName(otherName),
                "another user's content is untouched");
        assertEquals(0, profilesNamed(name));
        assertEquals(1, profilesNamed(otherName));
    }

    @Test
    @Order(2)
    void appliesTheSameEventSentTwiceOnceAndCountsTheDuplicate() throws Exception {
        String userId = "u-" + UUID.randomUUID();
        String name = seededName("Mary Somerville");
        seedAssetsOf(userId, name);
        String event = DeletionEvents.deleteUser(userId, name, "org-1");

        events.publish(TOPIC, userId, event);
        events.publish(TOPIC, userId, event);

        router.api().awaitFinished(userId, 1, WAIT);
        JsonNode request = awaitErasure(userId, r -> r.get("duplicates").asInt() > 0);
        assertEquals(1, router.api().erasuresOf(userId).get("erasures").size(), request.toString());
        assertEquals(1, request.get("duplicates").asInt(), request.toString());
        assertEquals(1, request.get("deliveries").asInt(), request.toString());
        assertCarriedOutOnce(request);
    }

    @Test
    @Order(2)
    void closesAnEventReadAgainAfterItsBatchWasDoneWithoutCarryingItOutAgain() throws Exception {
        String userId = "u-" + UUID.randomUUID();
        String name = seededName("Sophie Germain");
        seedAssetsOf(userId, name);
        String event = DeletionEvents.deleteUser(userId, name, "org-1");
        events.publish(TOPIC, userId, event);
        JsonNode first = router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
        assertEquals("DONE", first.get("status").asText(), first.toString());

        // as if the runtime had died after the batch, before it remembered the request and committed the event's offset
        try (Connection db = LedgerDatabase.connect();
             var forget = db.prepareStatement("DELETE FROM camel_messageprocessed WHERE messageid = ?")) {
            forget.setString(1, first.get("requestId").asText());
            assertEquals(1, forget.executeUpdate());
        }
        events.publish(TOPIC, userId, event);

        JsonNode request = awaitErasure(userId, r -> r.get("deliveries").asInt() == 2 && "DONE".equals(r.get("status").asText()));
        assertEquals(2, request.get("deliveries").asInt(), request.toString());
        assertEquals("DONE", request.get("status").asText(), "closed, not left waiting for a batch: " + request);
        assertCarriedOutOnce(request);
        try (Connection db = LedgerDatabase.connect();
             var queued = db.prepareStatement("SELECT count(*) FROM pipeline_content_queue WHERE request_id = ?")) {
            queued.setString(1, request.get("requestId").asText());
            try (ResultSet rs = queued.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getInt(1), "not queued for a batch again");
            }
        }
    }

    @Test
    @Order(2)
    void remembersAnAppliedRequestOnceWhicheverInstanceRemembersItFirst() {
        DriverManagerDataSource ledger = new DriverManagerDataSource(RealServers.get().jdbcUrl(), "postgres", "postgres");
        AppliedRequests one = new AppliedRequests(ledger, "erasure-router");
        AppliedRequests other = new AppliedRequests(ledger, "erasure-router");
        String requestId = "r-" + UUID.randomUUID();

        assertFalse(other.contains(requestId));
        assertTrue(one.add(requestId));
        assertFalse(other.add(requestId), "the other instance finds it already remembered, without a key violation");
        assertTrue(other.contains(requestId));
        assertFalse(new AppliedRequests(ledger, "another-router").contains(requestId), "remembered per processor");
    }

    @Test
    @Order(3)
    void sendsEachKindOfBadInputUnchangedToTheDeadLetterTopicWithItsReasonAndDoesNothingElse() throws Exception {
        String userId = "u-bad-" + UUID.randomUUID();
        String name = seededName("Emmy Noether");
        seedAssetsOf(userId, name);
        String valid = DeletionEvents.deleteUser(userId, name, "org-1");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("MALFORMED_JSON", valid.substring(0, valid.length() / 2).getBytes(UTF_8));
        bad.put("MALFORMED_JSON ", new byte[] {'{', '"', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        bad.put("WRONG_EID", valid.replace("BE_JOB_REQUEST", "BE_AUDIT").getBytes(UTF_8));
        bad.put("UNKNOWN_ACTION", valid.replace("\"delete-user\"", "\"archive-user\"").getBytes(UTF_8));
        bad.put("MISSING_USER_ID", valid.replace("\"userId\":\"" + userId + "\",", "").getBytes(UTF_8));
        bad.put("MISSING_USER_ID ", valid.replace("\"userId\":\"" + userId + "\"", "\"userId\":\" \"").getBytes(UTF_8));
        bad.put("NOT_A_USER", valid.replace("\"type\":\"User\"", "\"type\":\"Content\"").getBytes(UTF_8));
        bad.put("TOO_LARGE", valid.replace("\"iteration\":1", "\"iteration\":1,\"pad\":\"" + "x".repeat(70_000) + "\"").getBytes(UTF_8));
        for (byte[] event : bad.values()) {
            events.publish(TOPIC, userId, event);
        }

        List<DeadLetters.Letter> letters = DeadLetters.read(DLQ, l -> l.header("erasureRejectReason") != null, bad.size(), WAIT);
        assertEquals(bad.size(), letters.size());
        for (Map.Entry<String, byte[]> sent : bad.entrySet()) {
            DeadLetters.Letter letter = letters.stream().filter(l -> Arrays.equals(l.value(), sent.getValue())).findFirst()
                    .orElseThrow(() -> new AssertionError(sent.getKey().trim() + " event not on the dead-letter topic byte for byte"));
            assertEquals(sent.getKey().trim(), letter.header("erasureRejectReason"), letter.headers().toString());
            assertFalse(letter.header("erasureRejectMessage").isBlank());
            assertEquals(TOPIC, letter.header("erasureSourceTopic"));
            assertTrue(Integer.parseInt(letter.header("erasureSourcePartition")) >= 0);
            assertTrue(Long.parseLong(letter.header("erasureSourceOffset")) >= 0);
            assertNotNull(letter.header("erasureRejectedAt"));
        }
        // a valid event published after the bad ones is still carried out: the partition was never blocked
        String next = "u-after-bad-" + UUID.randomUUID();
        events.publish(TOPIC, userId, DeletionEvents.deleteUser(next, "x", "org-1"));
        assertEquals("DONE", router.api().awaitFinished(next, 1, WAIT).get("erasures").get(0).get("status").asText());
        assertEquals(0, router.api().erasuresOf(userId).get("erasures").size(), "no bad event reached the ledger");
        assertEquals(Map.of("cassandra", 1L, "elasticsearch", 2L, "neo4j", 3L, "redis", 2L), content.copiesOfName(name),
                "no bad event touched a store");
    }

    @Test
    @Order(100)
    void leavesNoSeededNameInTheLedgerOrInAnyLogLine() throws Exception {
        assertTrue(logs.size() > 0, "the run was logged");
        assertFalse(logs.containing(TOPIC).isEmpty(), "the runtime's own lines were captured");
        StringBuilder ledger = new StringBuilder();
        try (Connection db = LedgerDatabase.connect();
             ResultSet rs = db.createStatement().executeQuery(
                     "SELECT r::text, s::text FROM erasure_request r JOIN erasure_store s USING (request_id)")) {
            while (rs.next()) {
                ledger.append(rs.getString(1)).append(rs.getString(2)).append('\n');
            }
        }
        assertTrue(ledger.length() > 0);
        for (String name : SEEDED_NAMES) {
            assertFalse(ledger.toString().contains(name), "the ledger holds a seeded name");
            assertEquals(List.of(), logs.containing(name), "log lines holding a seeded name");
        }
    }

    private static String seededName(String base) {
        String name = base + " " + UUID.randomUUID().toString().substring(0, 6);
        SEEDED_NAMES.add(name);
        return name;
    }

    /** A content and a collection created by the user, under a fresh identifier, in every store. */
    private static void seedAssetsOf(String userId, String name) throws Exception {
        content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, name);
    }

    /** The user's newest erasure once {@code reached} holds for it, or as it stands when WAIT has passed. */
    private static JsonNode awaitErasure(String userId, Predicate<JsonNode> reached) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode request = router.api().erasuresOf(userId).get("erasures").get(0);
        while (!reached.test(request) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            request = router.api().erasuresOf(userId).get("erasures").get(0);
        }
        return request;
    }

    /** Each store carried out the request's work once. */
    private static void assertCarriedOutOnce(JsonNode request) {
        request.get("stores").fields().forEachRemaining(s ->
                assertEquals(1, s.getValue().get("attempts").asInt(), "carried out once in " + s.getKey() + ": " + s.getValue()));
    }

    private static void insertProfile(String userId, String name) throws Exception {
        try (Connection db = LedgerDatabase.connect(); var ps = db.prepareStatement("INSERT INTO learner_profile VALUES (?, ?, ?)")) {
            ps.setString(1, userId);
            ps.setString(2, name);
            ps.setString(3, userId + "@example.org");
            ps.executeUpdate();
        }
    }

    private static int profilesNamed(String name) throws Exception {
        try (Connection db = LedgerDatabase.connect(); var ps = db.prepareStatement("SELECT count(*) FROM learner_profile WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
