package org.erasurerouter.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.erasurerouter.InvalidSettingException;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Batch queues on the real ledger database (PostgreSQL): what a batch claims, and when. */
@ExtendWith(RealServers.class)
class BatchQueueIT {
    private static final long MINUTE = 60_000;
    private static ErasureLedger ledger;

    @BeforeAll
    static void ledger() {
        ledger = new ErasureLedger(new DriverManagerDataSource(RealServers.get().jdbcUrl(), "postgres", "postgres"));
        ledger.createSchema();
    }

    @Test
    void recordsADeletionAndQueuesItWithItsWorkMarkedQueuedInOneStatement() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 1, MINUTE, MINUTE).create();
        String requestId = "r-" + UUID.randomUUID();

        List<String> stores = queue.open(deletion(requestId), "neo4j,cassandra,elasticsearch,redis", "neo4j,cassandra,elasticsearch");

        assertEquals(List.of("cassandra", "elasticsearch", "neo4j"), stores);
        assertEquals(List.of("QUEUED"), column("SELECT DISTINCT status FROM erasure_store WHERE request_id = '" + requestId
                + "' AND store IN ('neo4j', 'cassandra', 'elasticsearch')"));
        assertEquals(List.of("PENDING"), column("SELECT status FROM erasure_store WHERE request_id = '" + requestId
                + "' AND store = 'redis'"), "the cache is not a store of record: it waits for the batch's end");
        assertEquals(List.of("QUEUED"), column("SELECT status FROM erasure_request WHERE request_id = '" + requestId + "'"));
        assertEquals(List.of(requestId), queue.claim("b1"));
    }

    @Test
    void queuesARedeliveredDeletionForTheStoresNotYetDoneAndNotOneWhoseStoresAreAllDone() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 1, MINUTE, MINUTE).create();
        String partly = "r-" + UUID.randomUUID();
        String done = "r-" + UUID.randomUUID();
        String stores = "neo4j,cassandra,elasticsearch,redis,jdbc";
        for (String requestId : List.of(partly, done)) {
            queue.open(deletion(requestId), stores, "neo4j,cassandra,elasticsearch");
        }
        assertEquals(Set.of(partly, done), Set.of(queue.claim("b1").get(0), queue.claim("b2").get(0)));
        ledger.done(partly, "neo4j", 1);
        for (String store : List.of("neo4j", "cassandra", "elasticsearch", "redis")) {
            ledger.done(done, store, 1);
        }
        // its SQL tables wait for a batch of the jdbc store, in the other queue
        new BatchQueue(ledger, "queue-table", table(), 1, MINUTE, MINUTE).create().queueOpen(List.of(deletion(done)), "jdbc");
        queue.done("b1");
        queue.done("b2");

        assertEquals(List.of("cassandra", "elasticsearch"), queue.open(deletion(partly), stores, "neo4j,cassandra,elasticsearch"));
        assertEquals(List.of(), queue.open(deletion(done), stores, "neo4j,cassandra,elasticsearch"),
                "its event read again after every store of record was done");

        assertEquals(List.of(partly), queue.claim("b3"), "only the one with work left is queued again");
        assertEquals(List.of("DONE", "QUEUED", "QUEUED"), column("SELECT status FROM erasure_store WHERE request_id = '"
                + partly + "' AND store IN ('neo4j', 'cassandra', 'elasticsearch') ORDER BY store DESC"));
        assertEquals(List.of(), queue.claim("b4"));
    }

    @Test
    void marksTheOpenWorkOfRequestsQueuedAndQueuesThemInOneStatementAndReleasesOneQueuedAgainWhileClaimed() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 3, MINUTE, MINUTE).create();
        List<ErasureRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(deletion("r-" + UUID.randomUUID()));
            ledger.open(requests.get(i), "jdbc", "jdbc");
        }
        ledger.done(requests.get(3).requestId(), "jdbc", 1);
        List<String> open = requests.subList(0, 3).stream().map(ErasureRequest::requestId).toList();

        assertEquals(Set.copyOf(open), Set.copyOf(queue.queueOpen(requests, "jdbc")), "the one done is not queued");
        assertEquals(List.of("DONE", "QUEUED"), column("SELECT DISTINCT status FROM erasure_store WHERE store = 'jdbc'"
                + " AND request_id IN ('" + String.join("', '", requests.stream().map(ErasureRequest::requestId).toList())
                + "') ORDER BY status"));
        assertEquals(Set.copyOf(open), Set.copyOf(queue.claim("b1")), "a full batch at once");
        queue.queueOpen(requests.subList(0, 1), "jdbc");
        queue.done("b1");

        assertEquals(List.of(), queue.claim("b2"), "one waits, for less than the interval");
        assertEquals(List.of(open.get(0)), new BatchQueue(ledger, "queue-table", table, 1, MINUTE, MINUTE).claim("b2"),
                "the one queued again while claimed is still queued");
    }

    @Test
    void claimsAFullBatchAtOnceAndLeavesTheRestUntilTheirIntervalHasPassed() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 3, MINUTE, MINUTE).create();
        List<String> ids = queueDeletions(queue, 5);

        List<String> first = queue.claim("b1");
        assertEquals(3, first.size(), "a full batch is claimed at once");
        assertEquals(List.of(), queue.claim("b2"), "two wait, fewer than a batch, for less than the interval");

        execute("UPDATE " + table + " SET queued_at = now() - interval '61 seconds' WHERE batch_id IS NULL");
        List<String> second = queue.claim("b2");
        assertEquals(2, second.size(), "the oldest has waited the interval: the rest are claimed");
        Set<String> claimed = new HashSet<>(first);
        claimed.addAll(second);
        assertEquals(Set.copyOf(ids), claimed, "every deletion claimed once");
    }

    @Test
    void countsTheRequestsWaitingOrClaimedUntilTheirBatchIsDone() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 3, MINUTE, MINUTE).create();
        assertEquals(0, queue.waiting());
        queueDeletions(queue, 5);
        assertEquals(5, queue.waiting());

        assertEquals(3, queue.claim("b1").size());
        assertEquals(5, queue.waiting(), "a claimed batch still counts until it is done");
        queue.done("b1");
        assertEquals(2, queue.waiting());
    }

    @Test
    void twoInstancesClaimingAtOnceNeverShareADeletion() throws Exception {
        String table = table();
        BatchQueue one = new BatchQueue(ledger, "queue-table", table, 10, 0, MINUTE).create();
        BatchQueue other = new BatchQueue(ledger, "queue-table", table, 10, 0, MINUTE);
        List<String> ids = queueDeletions(one, 200);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> claims = new ArrayList<>();
            for (BatchQueue queue : List.of(one, other)) {
                claims.add(pool.submit((Callable<List<String>>) () -> {
                    List<String> mine = new ArrayList<>();
                    for (List<String> batch; !(batch = queue.claim("b-" + UUID.randomUUID())).isEmpty(); ) {
                        mine.addAll(batch);
                    }
                    return mine;
                }));
            }
            List<String> all = new ArrayList<>(claims.get(0).get());
            all.addAll(claims.get(1).get());
            assertEquals(ids.size(), all.size(), "no deletion claimed twice");
            assertEquals(Set.copyOf(ids), Set.copyOf(all));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchNotDoneWithinTheRecoveryIntervalIsClaimedAgainAndADoneOneLeavesTheQueue() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 2, MINUTE, MINUTE).create();
        List<String> ids = queueDeletions(queue, 4);
        List<String> died = queue.claim("died");
        List<String> lived = queue.claim("lived");
        assertEquals(2, died.size());
        assertEquals(2, lived.size());
        assertEquals(List.of(), queue.claim("b3"), "both batches are claimed and within the recovery interval");

        queue.done("lived");
        execute("UPDATE " + table + " SET claimed_at = now() - interval '61 seconds' WHERE batch_id = 'died'");

        assertEquals(Set.copyOf(died), Set.copyOf(queue.claim("b3")), "the dead instance's batch is claimed again");
        assertEquals(List.of(), queue.claim("b4"));
        assertEquals(Set.copyOf(died), Set.copyOf(column("SELECT request_id FROM " + table)), "the done batch left");
        assertTrue(ids.containsAll(lived));
    }

    @Test
    void aDeletionQueuedAgainWhileItsBatchRunsStaysQueuedForTheNextBatch() throws Exception {
        String table = table();
        BatchQueue queue = new BatchQueue(ledger, "queue-table", table, 1, MINUTE, MINUTE).create();
        String requestId = queueDeletions(queue, 1).get(0);
        assertEquals(List.of(requestId), queue.claim("running"));

        queue.open(deletion(requestId), "neo4j,cassandra,elasticsearch", "neo4j,cassandra,elasticsearch");
        queue.done("running");

        assertEquals(List.of(requestId), queue.claim("next"), "its event was read again: it is carried out again");
    }

    @Test
    void queuesParkedWorkForAReplayWithItsRequestRunningAndClaimsItAgainOnceTheRecoveryIntervalHasPassed() throws Exception {
        String table = table();
        BatchQueue replays = new BatchQueue(ledger, "queue-table", table, 1, 0, MINUTE).create();
        ErasureRequest request = deletion("r-" + UUID.randomUUID());
        ledger.open(request, "neo4j,redis", "neo4j");
        ledger.done(request.requestId(), "neo4j", 1);
        ledger.parked(request, "redis", new IllegalStateException("the cache is down"));

        assertEquals(List.of(request.requestId()), replays.replayParked(request.userId(), null));
        assertEquals(List.of("DONE", "PENDING"), column("SELECT status FROM erasure_store WHERE request_id = '"
                + request.requestId() + "' AND store IN ('neo4j', 'redis') ORDER BY store"), "only the parked work is reset");
        assertEquals(List.of("RUNNING 1"), column("SELECT status || ' ' || replays FROM erasure_request WHERE request_id = '"
                + request.requestId() + "'"));
        assertEquals(List.of(), replays.replayParked(request.userId(), null), "nothing parked is left to queue");

        assertEquals(List.of(request.requestId()), replays.claim("instance-1"));
        assertEquals(List.of(), replays.claim("instance-2"), "claimed, within the recovery interval");
        execute("UPDATE " + table + " SET claimed_at = now() - interval '61 seconds'");   // instance-1 died mid-replay
        assertEquals(List.of(request.requestId()), replays.claim("instance-2"), "claimed again after the recovery interval");
        replays.done("instance-2");
        assertEquals(0, replays.waiting());

        ledger.done(request.requestId(), "redis", 1);
        assertTrue(replays.reopen(request.requestId(), List.of("redis")), "reconciliation found a copy left in the cache");
        assertEquals(List.of("PENDING"), column("SELECT status FROM erasure_store WHERE request_id = '"
                + request.requestId() + "' AND store = 'redis'"));
        assertFalse(replays.reopen(request.requestId(), List.of("redis")), "its work is not DONE: nothing to reopen");
        assertEquals(List.of(request.requestId()), replays.claim("instance-3"), "queued once to be erased again");
    }

    @Test
    void refusesATableOfAnotherLayoutAtStartUp() throws Exception {
        String table = table();
        execute("CREATE TABLE " + table + " (id varchar(255) PRIMARY KEY, exchange bytea NOT NULL, version bigint NOT NULL)");

        InvalidSettingException refused = assertThrows(InvalidSettingException.class,
                () -> new BatchQueue(ledger, "erasure.content.queue-table", table, 1, MINUTE, MINUTE).create());
        assertTrue(refused.getMessage().contains("erasure.content.queue-table"), refused.getMessage());
    }

    private static List<String> queueDeletions(BatchQueue queue, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String requestId = "r-" + UUID.randomUUID();
            queue.open(deletion(requestId), "neo4j,cassandra,elasticsearch", "neo4j,cassandra,elasticsearch");
            ids.add(requestId);
        }
        return ids;
    }

    private static ErasureRequest deletion(String requestId) {
        return new ErasureRequest(requestId, ErasureRequest.DELETE_USER, "u-" + requestId, "org-1", 0, null, null, null, List.of());
    }

    private static String table() {
        return "queue_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres");
    }
}
