package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.erasurerouter.servers.FreePorts;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * A store that is down: its work is retried and parked, the others finish, and a replay completes it once back, even
 * when the instance running the replay dies part-way.
 */
@ExtendWith(RealServers.class)
class StoreOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void parksTheWorkOfAStoppedStoreWhileTheOthersFinishAndAReplayCompletesItOnceTheStoreIsBack() throws Exception {
        String topic = "delete.user." + UUID.randomUUID();
        String dlq = topic + ".dlq";
        String userId = "u-" + UUID.randomUUID();
        String name = "Katherine Johnson " + UUID.randomUUID().toString().substring(0, 6);
        String prefix = "do_" + UUID.randomUUID().toString().replace("-", "");
        try (SunbirdContent content = new SunbirdContent(RealServers.get());
             DeletionEvents events = DeletionEvents.producer();
             RunningRouter router = RunningRouter.start(Map.of(
                     "erasure.kafka.topics", topic,
                     "erasure.kafka.dead-letter-topic", dlq,
                     "erasure.kafka.group-id", "outage-" + UUID.randomUUID(),
                     "erasure.retry.maximum-redeliveries", "2",
                     "erasure.retry.initial-delay-ms", "200"))) {
            content.seedCreator(prefix, userId, name);

            JsonNode parked;
            try (AutoCloseable outage = RealServers.get().outage("redis")) {
                events.publish(topic, userId, DeletionEvents.deleteUser(userId, name, "org-1"));
                parked = router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
            }
            assertEquals("PARKED", parked.get("status").asText(), parked.toString());
            assertEquals("PARKED", parked.at("/stores/redis/status").asText());
            assertEquals(3, parked.at("/stores/redis/attempts").asInt(), "the first attempt and two retries");
            assertTrue(parked.at("/stores/redis/lastError").asText().contains("Connection"), parked.toString());
            for (String store : List.of("neo4j", "cassandra", "elasticsearch")) {
                assertEquals("DONE", parked.at("/stores/" + store + "/status").asText(), store + " finished despite the outage");
            }
            DeadLetters.Letter letter = DeadLetters.read(dlq, l -> "redis".equals(l.header("erasureParkedStore")), 1, WAIT).get(0);
            assertEquals(parked.get("requestId").asText(), letter.header("erasureRequestId"));
            assertEquals("3", letter.header("erasureAttempts"));

            // Redis is back (empty, as a restarted cache is); the platform has cached the user's content again meanwhile
            try (Jedis redis = new Jedis("127.0.0.1", RealServers.get().redisPort())) {
                redis.set(prefix + "_content", "{\"creator\":\"" + name + "\"}");
                redis.set("hierarchy_" + prefix + "_collection", "{\"creator\":\"" + name + "\"}");
            }
            assertEquals(1, router.api().replay(userId, null), "one request replayed");

            JsonNode replayed = router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
            assertEquals("DONE", replayed.get("status").asText(), replayed.toString());
            assertEquals("DONE", replayed.at("/stores/redis/status").asText());
            assertEquals(2, replayed.at("/stores/redis/assetsTouched").asInt());
            assertEquals(1, replayed.get("replays").asInt());
            for (String store : List.of("neo4j", "cassandra", "elasticsearch")) {
                assertEquals(1, replayed.at("/stores/" + store + "/attempts").asInt(), store + " was not applied twice");
            }
            assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(name));
            assertEquals(0, router.api().replay(userId, null), "a second replay finds nothing parked");
        }
    }

    @Test
    void aStoreWhoseParkingFailsInTheLedgerFailsItsRequestWhichIsRetriedWithoutRunningTheStoresDoneAgain() throws Exception {
        String run = "park" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String topic = "transfer." + run;
        String userId = "u-" + run;
        String name = "Dorothy Vaughan " + run;
        try (SunbirdContent content = new SunbirdContent(RealServers.get());
             DeletionEvents events = DeletionEvents.producer();
             RunningRouter router = RunningRouter.start(Map.of(
                     "erasure.kafka.topics", topic,
                     "erasure.kafka.dead-letter-topic", topic + ".dlq",
                     "erasure.kafka.group-id", run,
                     "erasure.retry.maximum-redeliveries", "2",
                     "erasure.retry.initial-delay-ms", "200"))) {
            content.seedCreator("do_" + run, userId, name);
            // while the ledger "fails", it refuses to record Elasticsearch's work of this user as done or as parked
            JsonNode finished;
            try (LedgerDatabase.Outage ledger = LedgerDatabase.failing(run, "r.user_id = '" + userId + "'",
                    Map.of("erasure_store", "NEW.store = 'elasticsearch' AND NEW.status IN ('DONE', 'PARKED')"))) {
                events.publish(topic, userId, DeletionEvents.transferOwnership(userId, name, "u-to-" + run, "Mae Jemison", null));
                ledger.awaitRefusedParking(WAIT);
                ledger.end();
                finished = router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
            }
            assertEquals("DONE", finished.get("status").asText(), "not closed while a store was neither done nor parked: " + finished);
            assertTrue(finished.at("/stores/elasticsearch/attempts").asInt() > 3, "run again after the failed parking: " + finished);
            for (String store : List.of("neo4j", "cassandra", "redis")) {
                assertEquals(1, finished.at("/stores/" + store + "/attempts").asInt(), store + " done once, not run again: " + finished);
            }
        }
    }

    @Test
    void aReplayCutShortByACrashIsClaimedAgainAndFinishedByAnotherInstance() throws Exception {
        String run = "replay" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String userId = "u-" + run;
        String name = "Annie Easley " + run;
        String prefix = "do_" + run;
        String topic = "delete.user." + run;
        int port = FreePorts.next();
        long key = Integer.toUnsignedLong(run.hashCode());
        Map<String, String> settings = Map.of(
                "erasure.kafka.topics", topic,
                "erasure.kafka.dead-letter-topic", topic + ".dlq",
                "erasure.kafka.group-id", run,
                "erasure.replay.queue-table", run + "_replays",
                "erasure.replay.recovery-interval-ms", "3000",
                "erasure.retry.maximum-redeliveries", "2",
                "erasure.retry.initial-delay-ms", "200");
        try (SunbirdContent content = new SunbirdContent(RealServers.get());
             DeletionEvents events = DeletionEvents.producer()) {
            content.seedCreator(prefix, userId, name);
            Map<String, String> first = new java.util.HashMap<>(settings);
            first.put("camel.server.port", Integer.toString(port));
            Process doomed = RunningRouter.startChild(first, run);
            try (Connection holder = LedgerDatabase.connect()) {
                ErasureApi api = new ErasureApi(port).awaitAnswering(WAIT);
                try (AutoCloseable outage = RealServers.get().outage("redis")) {
                    events.publish(topic, userId, DeletionEvents.deleteUser(userId, name, "org-1"));
                    assertEquals("PARKED", api.awaitFinished(userId, 1, WAIT).at("/erasures/0/status").asText());
                }
                try (Jedis redis = new Jedis("127.0.0.1", RealServers.get().redisPort())) {
                    redis.set(prefix + "_content", "{\"creator\":\"" + name + "\"}");
                }
                // the replay stops where it marks the cache RUNNING, until the test lets go of an advisory lock
                LedgerDatabase.sql("CREATE FUNCTION " + run + "_wait() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                                + " PERFORM pg_advisory_lock_shared(" + key + "); PERFORM pg_advisory_unlock_shared(" + key + ");"
                                + " RETURN NEW; END $$",
                        "CREATE TRIGGER " + run + "_wait BEFORE UPDATE ON erasure_store FOR EACH ROW"
                                + " WHEN (NEW.store = 'redis' AND NEW.status = 'RUNNING') EXECUTE FUNCTION " + run + "_wait()");
                holder.createStatement().execute("SELECT pg_advisory_lock(" + key + ")");
                assertEquals(1, api.replay(userId, null), "one request queued for a replay");
                LedgerDatabase.awaitCount("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        + " AND ((classid::bigint << 32) | objid::bigint) = " + key, 1, WAIT, "the replay waiting at the cache");
                doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // SIGKILL mid-replay
            } finally {
                doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                LedgerDatabase.sql("DROP TRIGGER IF EXISTS " + run + "_wait ON erasure_store");
            }
            assertEquals(1, LedgerDatabase.count("SELECT count(*) FROM " + run + "_replays"), "the replay left claimed");

            try (RunningRouter second = RunningRouter.start(settings)) {
                JsonNode replayed = second.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
                assertEquals("DONE", replayed.get("status").asText(), replayed.toString());
                assertEquals("DONE", replayed.at("/stores/redis/status").asText(), replayed.toString());
                for (String store : List.of("neo4j", "cassandra", "elasticsearch")) {
                    assertEquals(1, replayed.at("/stores/" + store + "/attempts").asInt(), store + " not run again: " + replayed);
                }
                LedgerDatabase.awaitCount("SELECT count(*) FROM " + run + "_replays", 0, WAIT, "the replay taken off its queue");
            }
            assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(name));
        }
    }
}
