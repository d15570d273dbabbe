package org.erasurerouter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.erasurerouter.SunbirdContent.Owner;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults a production runtime meets, during streams of deletions: hostile names and ids, an oversized event,
 * duplicates and poison events interleaved with valid ones, a restart of the Kafka broker, each store stopped and
 * restarted in turn (the runtime killed with SIGKILL mid-stream is {@link ScaleOutAndCrashIT}'s). Each ends with every valid event completed exactly once
 * in the ledger, every invalid one on the dead-letter topic with its reason, and no copy of a name left.
 */
@ExtendWith(RealServers.class)
class FaultSuiteIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final String TOPIC = "delete.user.faults." + UUID.randomUUID();
    private static final String DLQ = TOPIC + ".dlq";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HOSTILE = List.of(
            "O'Brien \"The Quoted\" \\ Backslash",
            "${header.erasureUserId} {{erasure.pii.replacement}} %s %n $1 \\1 #{x}",
            "<script>alert('x')</script> & ; DROP TABLE erasure_request; --",
            "李小龍 Ñandú Ελληνικά العربية हिन्दी 🙂",
            "Line\nBreak\tTab\u0000Nul");

    private static RunningRouter router;
    private static SunbirdContent content;
    private static DeletionEvents events;

    @BeforeAll
    static void startRuntime() throws Exception {
        try (Connection db = LedgerDatabase.connect()) {
            db.createStatement().execute("CREATE TABLE IF NOT EXISTS fault_profile (user_id text, name text, email text)");
        }
        content = new SunbirdContent(RealServers.get());
        // the platform's stores exist before any deletion: another user's content creates the search index
        content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), "u-bystander-" + UUID.randomUUID(), "Bystander");
        router = RunningRouter.start(Map.of(
                "erasure.kafka.topics", TOPIC,
                "erasure.kafka.dead-letter-topic", DLQ,
                "erasure.kafka.group-id", "faults-" + UUID.randomUUID(),
                "erasure.stores", "neo4j,cassandra,elasticsearch,redis,jdbc",
                "erasure.jdbc.table.profile.table", "fault_profile",
                "erasure.jdbc.table.profile.action", "obfuscate",
                "erasure.jdbc.table.profile.columns", "name, email:null",
                "erasure.jdbc.batch-interval-ms", "200",
                "erasure.jdbc.queue-table", "fault_batches"));
        events = DeletionEvents.producer();
    }

    @AfterAll
    static void stopRuntime() throws Exception {
        RunningRouter.closeAll(events, content, router);
    }

    @Test
    void erasesNamesAndIdsFullOfQuotesMetacharactersAndNonLatinScriptsFromEveryStore() throws Exception {
        List<Owner> owners = new ArrayList<>();
        String[] idShapes = {"u-'q\"-", "u-${x}-", "u-李-", "u-<&;>-", "u- space-"};
        for (int i = 0; i < HOSTILE.size(); i++) {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            owners.add(new Owner("do_fault_" + tag, idShapes[i] + tag, HOSTILE.get(i) + " " + tag));
        }
        content.seedOwners(owners, 6);
        for (Owner owner : owners) {
            insertProfile(owner);
            assertTrue(copiesLeft(owner.userName()) > 0, "the check finds the seeded copies of " + owner.userId());
        }

        publishDeletions(owners);

        for (Owner owner : owners) {
            JsonNode request = router.api().awaitFinished(owner.userId(), 1, WAIT).get("erasures").get(0);
            assertEquals("DONE", request.get("status").asText(), owner.userId() + ": " + request);
            assertEquals(0, copiesLeft(owner.userName()), "copies of the name of " + owner.userId());
            assertEquals(0, profilesNamed(owner.userName()));
        }
    }

    @Test
    void refusesA2MbEventToTheDeadLetterTopicByteForByteAndCarriesOnWithTheNextEvent() throws Exception {
        String userId = "u-large-" + UUID.randomUUID();
        String valid = DeletionEvents.deleteUser(userId, "Large Event", "org-1");
        byte[] large = valid.replace("\"iteration\":1", "\"iteration\":1,\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"").getBytes(UTF_8);
        events.publish(TOPIC, userId, large);
        String next = "u-after-large-" + UUID.randomUUID();
        events.publish(TOPIC, next, DeletionEvents.deleteUser(next, "After Large", "org-1"));

        DeadLetters.Letter letter = DeadLetters.read(DLQ, l -> "TOO_LARGE".equals(l.header("erasureRejectReason"))
                && l.value().length == large.length, 1, WAIT).get(0);
        assertArrayEquals(large, letter.value());
        assertEquals("DONE", router.api().awaitFinished(next, 1, WAIT).get("erasures").get(0).get("status").asText());
        assertEquals(0, router.api().erasuresOf(userId).get("erasures").size(), "the refused event reached no store");
    }

    @Test
    void appliesEachValidEventOnceAmongDuplicatesAndPoisonEventsAndParksEachPoisonEventWithItsReason() throws Exception {
        List<String> users = new ArrayList<>();
        List<String> poisonMarks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String userId = "u-mixed-" + i + "-" + UUID.randomUUID();
            users.add(userId);
            content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, "Mixed Name " + userId);
            String event = DeletionEvents.deleteUser(userId, "Mixed Name " + userId, "org-1");
            String mark = UUID.randomUUID().toString();
            poisonMarks.add(mark);
            events.publish(TOPIC, userId, event);
            events.publish(TOPIC, userId, ("{\"eid\":\"BE_JOB_REQUEST\",\"mark\":\"" + mark + "\",").getBytes(UTF_8));
            events.publish(TOPIC, userId, event);
        }
        for (String userId : users) {
            router.api().awaitDoneOnce(userId, WAIT);
        }
        List<DeadLetters.Letter> letters = DeadLetters.read(DLQ, l -> poisonMarks.stream().anyMatch(m -> new String(l.value(), UTF_8).contains(m)),
                poisonMarks.size(), WAIT);
        assertEquals(poisonMarks.size(), letters.size());
        letters.forEach(l -> assertEquals("MALFORMED_JSON", l.header("erasureRejectReason")));
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (String userId : users) {
            JsonNode request = router.api().erasuresOf(userId).get("erasures").get(0);
            while (request.get("duplicates").asInt() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                request = router.api().erasuresOf(userId).get("erasures").get(0);
            }
            assertEquals(1, request.get("duplicates").asInt(), "the second delivery counted as a duplicate: " + request);
        }
    }

    @Test
    void carriesOutEveryDeletionExactlyOnceAcrossARestartOfTheKafkaBroker() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String userId = "u-broker-" + i + "-" + UUID.randomUUID();
            users.add(userId);
            content.seedCreator("do_" + UUID.randomUUID().toString().replace("-", ""), userId, "Broker Name " + userId);
        }
        for (String userId : users.subList(0, 5)) {
            events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, "Broker Name " + userId, "org-1"));
        }
        try (AutoCloseable restart = RealServers.get().kafkaRestart()) {
            Thread.sleep(20_000);
        }
        for (String userId : users.subList(5, 10)) {
            events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, "Broker Name " + userId, "org-1"));
        }
        for (String userId : users) {
            router.api().awaitDoneOnce(userId, WAIT);
            assertEquals(0, copiesLeft("Broker Name " + userId), userId);
        }
    }

    @Test
    void completesEveryDeletionExactlyOnceWhileEachStoreInTurnIsStoppedForTwentySecondsAndRestarted() throws Exception {
        // every user's content is in every store before the first outage: a store cannot be seeded while it is down
        Map<String, List<Owner>> usersByOutage = new LinkedHashMap<>();
        List<Owner> everyone = new ArrayList<>();
        for (String store : RealServers.OUTAGE_STORES) {
            List<Owner> owners = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String tag = UUID.randomUUID().toString().substring(0, 8);
                owners.add(new Owner("do_outage_" + tag, "u-outage-" + store + "-" + i + "-" + tag, "Outage Name " + tag));
            }
            usersByOutage.put(store, owners);
            everyone.addAll(owners);
        }
        content.seedOwners(everyone, 3);
        for (Owner owner : everyone) {
            insertProfile(owner);
        }

        for (Map.Entry<String, List<Owner>> outage : usersByOutage.entrySet()) {
            List<Owner> owners = outage.getValue();
            publishDeletions(owners.subList(0, 2));  // in flight when the store stops
            long t0 = System.nanoTime();
            try (AutoCloseable stopped = RealServers.get().outage(outage.getKey())) {
                publishDeletions(owners.subList(2, 4));
                Thread.sleep(OUTAGE.toMillis());
            }
            System.out.printf("[faults] %s was down %d s%n", outage.getKey(), (System.nanoTime() - t0) / 1_000_000_000);
        }

        int replayed = 0;
        for (Owner owner : everyone) {
            JsonNode request = router.api().awaitFinished(owner.userId(), 1, WAIT).get("erasures").get(0);
            if ("PARKED".equals(request.get("status").asText())) {
                // the operator's step once a store is back: parked work is replayed, and only that work
                replayed += router.api().replay(owner.userId(), null);
            }
        }
        System.out.printf("[faults] %d of %d deletions were parked by an outage and replayed%n", replayed, everyone.size());
        for (Owner owner : everyone) {
            JsonNode erasures = router.api().awaitFinished(owner.userId(), 1, WAIT).get("erasures");
            assertEquals(1, erasures.size(), "one request in the ledger: " + erasures);
            assertEquals("DONE", erasures.get(0).get("status").asText(), owner.userId() + ": " + erasures);
            assertEquals(0, copiesLeft(owner.userName()), "copies of the name of " + owner.userId());
            assertEquals(0, profilesNamed(owner.userName()), "profile rows named as " + owner.userId());
        }
    }

    private static void publishDeletions(List<Owner> owners) throws Exception {
        Map<String, String> deletions = new LinkedHashMap<>();
        owners.forEach(o -> deletions.put(o.userId(), DeletionEvents.deleteUser(o.userId(), o.userName(), "org-1")));
        events.publishAll(TOPIC, deletions);
    }

    /** Copies of the name anywhere, as written or as it appears inside JSON text (escaped). */
    private static long copiesLeft(String name) throws Exception {
        String escaped = JSON.writeValueAsString(name);
        escaped = escaped.substring(1, escaped.length() - 1);
        long copies = content.copiesOfName(name).values().stream().mapToLong(Long::longValue).sum();
        if (!escaped.equals(name)) {
            copies += content.copiesOfName(escaped).values().stream().mapToLong(Long::longValue).sum();
        }
        return copies;
    }

    private static void insertProfile(Owner owner) throws Exception {
        try (Connection db = LedgerDatabase.connect(); var ps = db.prepareStatement("INSERT INTO fault_profile VALUES (?, ?, ?)")) {
            ps.setString(1, owner.userId());
            ps.setString(2, owner.userName().replace("\u0000", ""));
            ps.setString(3, "x@example.org");
            ps.executeUpdate();
        }
    }

    private static int profilesNamed(String name) throws Exception {
        try (Connection db = LedgerDatabase.connect(); var ps = db.prepareStatement("SELECT count(*) FROM fault_profile WHERE name = ?")) {
            ps.setString(1, name.replace("\u0000", ""));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
