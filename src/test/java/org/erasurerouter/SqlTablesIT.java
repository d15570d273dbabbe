package org.erasurerouter;

import static org.erasurerouter.LedgerDatabase.count;
import static org.erasurerouter.LedgerDatabase.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The jdbc store on the real PostgreSQL: deletions gathered into durable batches, one statement per table per batch,
 * obfuscation and deletion proven by the database's own counts; a crash mid-batch, and a batch that keeps failing.
 */
@ExtendWith(RealServers.class)
class SqlTablesIT {
    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final String SECRET = "sql-tables-secret";

    @BeforeAll
    static void countStatementsInTheDatabase() throws Exception {
        // a statement-level trigger counts the statements PostgreSQL itself executed on a table, whoever sent them
        sql("CREATE TABLE IF NOT EXISTS sink_statements (tbl text, op text)",
                """
                CREATE OR REPLACE FUNCTION count_sink_statement() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO sink_statements VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$""");
    }

    @Test
    void erasesTenThousandUsersWithOneStatementPerTablePerBatchAndLeavesEveryOtherRowAsItWas() throws Exception {
        String run = "bulk" + tag();
        String profiles = run + "_profile";
        String logins = run + "_login";
        int users = 10_000;
        sql("CREATE TABLE " + profiles + " (user_id text, name text, email text, phone text, country text)",
                "CREATE TABLE " + logins + " (user_id text, ip text, at timestamptz)",
                "INSERT INTO " + profiles + " SELECT 'u-" + run + "-' || i, 'Learner ' || i, 'l' || i || '@example.org', '+91' || i, 'IN'"
                        + " FROM generate_series(1, " + users + ") i",
                "INSERT INTO " + logins + " SELECT 'u-" + run + "-' || (i % " + users + " + 1), '10.0.' || i, now()"
                        + " FROM generate_series(1, " + 2 * users + ") i",
                "INSERT INTO " + profiles + " SELECT 'keep-" + run + "-' || i, 'Keeper ' || i, 'k' || i || '@example.org', '+44' || i, 'GB'"
                        + " FROM generate_series(1, 1000) i",
                "INSERT INTO " + logins + " SELECT 'keep-" + run + "-' || i, '10.1.' || i, now() FROM generate_series(1, 1000) i",
                countStatementsOn(profiles), countStatementsOn(logins));
        String keptBefore = fingerprint(profiles, "keep-") + fingerprint(logins, "keep-");

        Map<String, String> settings = settings(run, Map.of(
                "erasure.jdbc.table.profile.table", profiles,
                "erasure.jdbc.table.profile.action", "obfuscate",
                "erasure.jdbc.table.profile.columns", "name, email:hash, phone:null",
                "erasure.jdbc.table.login.table", logins,
                "erasure.jdbc.batch-size", "100",
                "erasure.kafka.consumers", "2"));
        createTopic(settings.get("erasure.kafka.topics"), 4);
        long started = System.nanoTime();
        try (RunningRouter router = RunningRouter.start(settings); DeletionEvents events = DeletionEvents.producer()) {
            Map<String, String> deletions = new LinkedHashMap<>();
            for (int i = 1; i <= users; i++) {
                String userId = "u-" + run + "-" + i;
                deletions.put(userId, DeletionEvents.deleteUser(userId, "Learner " + i, "org-1"));
            }
            events.publishAll(settings.get("erasure.kafka.topics"), deletions);
            awaitJdbc(run, "done", users);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        Map<String, Integer> ledger = jdbcFigures(run);
        assertEquals(users, ledger.get("requestsDone"), "every request is DONE in the ledger");
        assertEquals(users, ledger.get("threeRowsNoneLeft"), "each user had one profile and two logins, and none is left");
        assertEquals(0, count("SELECT count(*) FROM " + logins + " WHERE user_id LIKE 'u-%'"), "the users' logins are deleted");
        assertEquals(users, count("SELECT count(*) FROM " + profiles + " WHERE user_id LIKE 'u-%' AND name = 'Deleted User'"
                + " AND phone IS NULL AND country = 'IN'"), "names replaced, phones emptied, other columns kept");
        try (Connection db = LedgerDatabase.connect(); ResultSet rs = db.createStatement().executeQuery(
                "SELECT user_id, email FROM " + profiles + " WHERE user_id LIKE 'u-%'")) {
            int checked = 0;
            while (rs.next()) {
                assertEquals(hmac(rs.getString(1)), rs.getString(2), "email of " + rs.getString(1) + " is the keyed hash of the user id");
                checked++;
            }
            assertEquals(users, checked);
        }
        assertEquals(keptBefore, fingerprint(profiles, "keep-") + fingerprint(logins, "keep-"), "every other row is unchanged");

        int batches = ledger.get("batches");
        long updates = count("SELECT count(*) FROM sink_statements WHERE tbl = '" + profiles + "' AND op = 'UPDATE'");
        long deletes = count("SELECT count(*) FROM sink_statements WHERE tbl = '" + logins + "' AND op = 'DELETE'");
        System.out.printf("[sql-tables] %d users in %.1f s (%.0f users/s): %d batches, %d UPDATE and %d DELETE statements%n",
                users, seconds, users / seconds, batches, updates, deletes);
        assertEquals(batches, updates, "one UPDATE of the profiles per batch");
        assertEquals(batches, deletes, "one DELETE of the logins per batch");
        assertTrue(batches >= users / 100, "no batch holds more than 100 users: " + batches);
        assertTrue(batches <= users / 20, "statements are per batch, not per user: " + batches + " for " + users + " users");
    }

    @Test
    void aRuntimeKilledWithBatchesInFlightFinishesThemAfterARestartAndLosesNoUser() throws Exception {
        String run = "crash" + tag();
        String table = run + "_profile";
        int users = 120;
        sql("CREATE TABLE " + table + " (user_id text, name text)",
                "INSERT INTO " + table + " SELECT 'u-" + run + "-' || i, 'Crash ' || i FROM generate_series(1, " + users + ") i",
                "INSERT INTO " + table + " SELECT 'keep-" + run + "-' || i, 'Keeper ' || i FROM generate_series(1, 50) i");
        String keptBefore = fingerprint(table, "keep-");
        Map<String, String> settings = settings(run, Map.of(
                "erasure.jdbc.table.profile.table", table,
                "erasure.jdbc.batch-size", "50",
                "erasure.jdbc.batch-interval-ms", "1000",
                "erasure.jdbc.batch-recovery-interval-ms", "1000"));

        Map<String, Integer> atKill;
        try (Connection blocker = LedgerDatabase.connect(); DeletionEvents events = DeletionEvents.producer()) {
            // the table is locked, so every batch that starts stops inside its transaction, before any statement ends
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            Process doomed = RunningRouter.startChild(settings, run);
            try {
                Map<String, String> deletions = new LinkedHashMap<>();
                for (int i = 1; i <= users; i++) {
                    deletions.put("u-" + run + "-" + i, DeletionEvents.deleteUser("u-" + run + "-" + i, "Crash " + i, "org-1"));
                }
                events.publishAll(settings.get("erasure.kafka.topics"), deletions);
                awaitJdbc(run, "waiting", users, doomed);
                atKill = awaitJdbc(run, "running", 50, doomed);   // at least one batch is in flight when the runtime dies
            } finally {
                doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // SIGKILL: no shutdown, no confirmation
            }
            blocker.rollback();
        }
        assertEquals(users, count("SELECT count(*) FROM " + table + " WHERE user_id LIKE 'u-%'"), "nothing was erased before the kill");

        try (RunningRouter restarted = RunningRouter.start(settings)) {
            awaitJdbc(run, "done", users);
        }
        Map<String, Integer> ledger = jdbcFigures(run);
        System.out.printf("[sql-tables] killed with %d request(s) in running batches and %d queued; after the restart %s%n",
                atKill.get("running"), atKill.get("waiting") - atKill.get("running"), ledger);
        assertEquals(users, ledger.get("requestsDone"), "every request is DONE after the restart");
        assertTrue(ledger.get("startedTwice") >= atKill.get("running"), "the batches in flight at the kill were run again");
        assertEquals(0, count("SELECT count(*) FROM " + table + " WHERE user_id LIKE 'u-%'"), "no user's row is left");
        assertEquals(keptBefore, fingerprint(table, "keep-"), "every other row is unchanged");
    }

    @Test
    void aBatchThatKeepsFailingIsParkedRequestByRequestAndAReplayFinishesIt() throws Exception {
        String run = "park" + tag();
        String table = run + "_profile";
        sql("CREATE TABLE " + table + " (user_id text, name text)",
                "INSERT INTO " + table + " SELECT 'u-" + run + "-' || i, 'Parked ' || i FROM generate_series(1, 3) i");
        Map<String, String> settings = settings(run, Map.of(
                "erasure.jdbc.table.profile.table", table,
                "erasure.retry.maximum-redeliveries", "2",
                "erasure.retry.initial-delay-ms", "100"));
        String dlq = settings.get("erasure.kafka.dead-letter-topic");
        try (RunningRouter router = RunningRouter.start(settings); DeletionEvents events = DeletionEvents.producer()) {
            sql("ALTER TABLE " + table + " RENAME TO " + table + "_away");   // the table vanishes after the start-up check
            for (int i = 1; i <= 3; i++) {
                events.publish(settings.get("erasure.kafka.topics"), "u-" + run + "-" + i,
                        DeletionEvents.deleteUser("u-" + run + "-" + i, "Parked " + i, "org-1"));
            }
            awaitJdbc(run, "parked", 3);
            var parked = router.api().erasuresOf("u-" + run + "-1").get("erasures").get(0);
            assertEquals("PARKED", parked.get("status").asText(), parked.toString());
            assertEquals(3, parked.at("/stores/jdbc/attempts").asInt(), "the first attempt and two retries: " + parked);
            assertTrue(parked.at("/stores/jdbc/lastError").asText().contains("PSQLException"), parked.toString());
            List<DeadLetters.Letter> letters = DeadLetters.read(dlq, l -> "jdbc".equals(l.header("erasureParkedStore")), 3, WAIT);
            assertEquals(3, letters.stream().map(l -> l.header("erasureRequestId")).distinct().count(), "one record per request");

            sql("ALTER TABLE " + table + "_away RENAME TO " + table);
            assertEquals(3, router.api().replay(null, "jdbc"), "the three parked requests are replayed");
            awaitJdbc(run, "done", 3);
        }
        assertEquals(0, count("SELECT count(*) FROM " + table + " WHERE user_id LIKE 'u-%'"));
        assertEquals(3, jdbcFigures(run).get("requestsDone"));
    }

    @Test
    void aBatchWhoseLedgerFailedAfterItsStatementsIsClaimedAgainAndEndsWithEveryRequestDone() throws Exception {
        String run = "close" + tag();
        String table = run + "_profile";
        sql("CREATE TABLE " + table + " (user_id text, name text)",
                "INSERT INTO " + table + " SELECT 'u-" + run + "-' || i, 'Closed ' || i FROM generate_series(1, 3) i");
        Map<String, String> settings = settings(run, Map.of(
                "erasure.jdbc.table.profile.table", table,
                "erasure.jdbc.batch-recovery-interval-ms", "2000",
                "erasure.retry.maximum-redeliveries", "2",
                "erasure.retry.initial-delay-ms", "100"));
        try (RunningRouter router = RunningRouter.start(settings); DeletionEvents events = DeletionEvents.producer()) {
            // while the ledger "fails", closing these requests as DONE and parking their work both fail: the batch's
            // statements have run, its retries and its parking fail, and it stays claimed, as after a crash at that point
            try (LedgerDatabase.Outage ledger = LedgerDatabase.failing(run, "r.user_id LIKE 'u-" + run + "-%'",
                    Map.of("erasure_request", "NEW.status = 'DONE'", "erasure_store", "NEW.status = 'PARKED'"))) {
                for (int i = 1; i <= 3; i++) {
                    events.publish(settings.get("erasure.kafka.topics"), "u-" + run + "-" + i,
                            DeletionEvents.deleteUser("u-" + run + "-" + i, "Closed " + i, "org-1"));
                }
                ledger.awaitRefusedParking(WAIT);
                ledger.end();
                awaitJdbc(run, "requestsDone", 3);
            }
        }
        assertEquals(0, count("SELECT count(*) FROM " + table + " WHERE user_id LIKE 'u-%'"));
        assertEquals(3, jdbcFigures(run).get("done"), "the jdbc store is DONE for each request");
    }

    private static Map<String, String> settings(String run, Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(Map.of(
                "erasure.kafka.topics", "delete.user." + run,
                "erasure.kafka.dead-letter-topic", "delete.user." + run + ".dlq",
                "erasure.kafka.group-id", run,
                "erasure.stores", "jdbc",
                "erasure.pii.hash-secret", SECRET,
                "erasure.jdbc.queue-table", run + "_batches",
                "erasure.jdbc.batch-interval-ms", "500"));
        s.putAll(extra);
        return s;
    }

    /** The trigger that records each UPDATE or DELETE statement run on {@code table}. */
    private static String countStatementsOn(String table) {
        return "CREATE TRIGGER " + table + "_statements AFTER UPDATE OR DELETE ON " + table
                + " FOR EACH STATEMENT EXECUTE FUNCTION count_sink_statement()";
    }

    /** Waits until {@code figure} of the run's jdbc work reaches {@code at least}; answers the figures then. */
    private static Map<String, Integer> awaitJdbc(String run, String figure, int atLeast) throws Exception {
        return awaitJdbc(run, figure, atLeast, null);
    }

    private static Map<String, Integer> awaitJdbc(String run, String figure, int atLeast, Process child) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Integer> figures = jdbcFigures(run);
        while (figures.get(figure) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within " + WAIT + " the ledger shows " + figures + ", waiting for " + figure + " >= " + atLeast);
            }
            if (child != null && !child.isAlive()) {
                throw new AssertionError("the child runtime exited early with " + child.exitValue());
            }
            Thread.sleep(200);
            figures = jdbcFigures(run);
        }
        return figures;
    }

    /** The ledger's view of the run's requests in the jdbc store. */
    private static Map<String, Integer> jdbcFigures(String run) throws Exception {
        try (Connection db = LedgerDatabase.connect(); PreparedStatement ps = db.prepareStatement("""
                SELECT count(*) FILTER (WHERE s.status = 'DONE'),
                       count(*) FILTER (WHERE s.status IN ('QUEUED', 'RUNNING')),
                       count(*) FILTER (WHERE s.status = 'RUNNING'),
                       count(*) FILTER (WHERE s.status = 'PARKED' AND r.status = 'PARKED'),
                       count(*) FILTER (WHERE r.status = 'DONE' AND r.finished_at IS NOT NULL),
                       count(DISTINCT s.batch_id),
                       count(*) FILTER (WHERE s.assets_touched = 3 AND s.copies_left = 0),
                       count(*) FILTER (WHERE s.attempts >= 2)
                  FROM erasure_request r JOIN erasure_store s USING (request_id)
                 WHERE s.store = 'jdbc' AND r.user_id LIKE ?""")) {
            ps.setString(1, "u-" + run + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Map.of("done", rs.getInt(1), "waiting", rs.getInt(2), "running", rs.getInt(3), "parked", rs.getInt(4),
                        "requestsDone", rs.getInt(5), "batches", rs.getInt(6), "threeRowsNoneLeft", rs.getInt(7),
                        "startedTwice", rs.getInt(8));
            }
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) {   // no ledger yet: the child runtime has not created it
                return Map.of("done", 0, "waiting", 0, "running", 0, "parked", 0, "requestsDone", 0, "batches", 0,
                        "threeRowsNoneLeft", 0, "startedTwice", 0);
            }
            throw e;
        }
    }

    /** An md5 of every row of the table whose user id starts with {@code prefix}, in a stable order. */
    private static String fingerprint(String table, String prefix) throws Exception {
        try (Connection db = LedgerDatabase.connect(); ResultSet rs = db.createStatement().executeQuery("SELECT md5(string_agg(t::text, '|' ORDER BY t::text))"
                + " FROM " + table + " t WHERE user_id LIKE '" + prefix + "%'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private static String hmac(String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static String tag() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }
}
