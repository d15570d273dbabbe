package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/** A store that is down: its work is retried and parked, the others finish, and a replay completes it once back. */
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

            JsonNode replayed = router.api().erasuresOf(userId).get("erasures").get(0);
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
            // while the ledger "fails", it refuses to record Elasticsearch's work of this user as done or as parked (a
            // sequence counts the refused parkings, as it counts on when the transaction rolls back)
            sql("CREATE TABLE " + run + "_failing (since timestamptz)",
                    "INSERT INTO " + run + "_failing VALUES (now())",
                    "CREATE SEQUENCE " + run + "_refused_parks",
                    "CREATE FUNCTION " + run + "_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                            + " IF EXISTS (SELECT 1 FROM " + run + "_failing) AND EXISTS (SELECT 1 FROM erasure_request r"
                            + " WHERE r.request_id = NEW.request_id AND r.user_id = '" + userId + "') THEN"
                            + " IF NEW.status = 'PARKED' THEN PERFORM nextval('" + run + "_refused_parks'); END IF;"
                            + " RAISE EXCEPTION 'the ledger failed'; END IF; RETURN NEW; END $$",
                    "CREATE TRIGGER " + run + "_refuse BEFORE UPDATE ON erasure_store FOR EACH ROW"
                            + " WHEN (NEW.store = 'elasticsearch' AND NEW.status IN ('DONE', 'PARKED'))"
                            + " EXECUTE FUNCTION " + run + "_refuse()");
            JsonNode finished;
            try {
                events.publish(topic, userId, DeletionEvents.transferOwnership(userId, name, "u-to-" + run, "Mae Jemison", null));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (count("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + run + "_refused_parks") == 0) {
                    assertTrue(System.nanoTime() < deadline, "Elasticsearch's work was never parked");
                    Thread.sleep(200);
                }
                sql("DELETE FROM " + run + "_failing");   // the ledger is back
                finished = router.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
            } finally {
                sql("DROP TRIGGER " + run + "_refuse ON erasure_store");
            }
            assertEquals("DONE", finished.get("status").asText(), "not closed while a store was neither done nor parked: " + finished);
            assertTrue(finished.at("/stores/elasticsearch/attempts").asInt() > 3, "run again after the failed parking: " + finished);
            for (String store : List.of("neo4j", "cassandra", "redis")) {
                assertEquals(1, finished.at("/stores/" + store + "/attempts").asInt(), store + " done once, not run again: " + finished);
            }
        }
    }

    private static void sql(String... statements) throws Exception {
        try (Connection db = db()) {
            for (String statement : statements) {
                db.createStatement().execute(statement);
            }
        }
    }

    private static int count(String query) throws Exception {
        try (Connection db = db(); ResultSet rs = db.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres");
    }
}
