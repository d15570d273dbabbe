package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.erasurerouter.servers.RealServers;

/** The test run's ledger database (PostgreSQL), as the tests read it and rig it with triggers. */
public final class LedgerDatabase {
    private LedgerDatabase() {
    }

    /** A new connection to the ledger database; the caller closes it. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres");
    }

    /** Runs the statements, in order, on one connection. */
    public static void sql(String... statements) throws SQLException {
        try (Connection db = connect()) {
            for (String statement : statements) {
                db.createStatement().execute(statement);
            }
        }
    }

    /** The first column of the query's first row, as a number. */
    public static long count(String query) throws SQLException {
        try (Connection db = connect(); ResultSet rs = db.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until the query counts {@code expected}; fails after the timeout. */
    public static void awaitCount(String query, long expected, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(query) != expected) {
            assertTrue(System.nanoTime() < deadline, what + " within " + timeout);
            Thread.sleep(200);
        }
    }

    /**
     * The ledger "failing" for some requests until {@link #end()}: updates of their rows that match a trigger's
     * condition raise an error, as a ledger database that is down would. A sequence counts the parkings refused (it
     * counts on when the transaction rolls back). Closing it drops the triggers.
     *
     * @param name     a name unique to the test, prefixing the tables, function and triggers
     * @param requests a condition on the request {@code r} (joined to the updated row) choosing the requests that fail
     * @param triggers per table (erasure_request, erasure_store), the condition on {@code NEW} under which updates fail
     */
    public static Outage failing(String name, String requests, Map<String, String> triggers) throws SQLException {
        sql("CREATE TABLE " + name + "_failing (since timestamptz)",
                "INSERT INTO " + name + "_failing VALUES (now())",
                "CREATE SEQUENCE " + name + "_refused_parks",
                "CREATE FUNCTION " + name + "_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF EXISTS (SELECT 1 FROM " + name + "_failing) AND EXISTS (SELECT 1 FROM erasure_request r"
                        + " WHERE r.request_id = NEW.request_id AND " + requests + ") THEN"
                        + " IF TG_TABLE_NAME = 'erasure_store' AND NEW.status = 'PARKED' THEN"
                        + " PERFORM nextval('" + name + "_refused_parks'); END IF;"
                        + " RAISE EXCEPTION 'the ledger failed'; END IF; RETURN NEW; END $$");
        for (Map.Entry<String, String> trigger : triggers.entrySet()) {
            sql("CREATE TRIGGER " + name + "_fail_" + trigger.getKey() + " BEFORE UPDATE ON " + trigger.getKey()
                    + " FOR EACH ROW WHEN (" + trigger.getValue() + ") EXECUTE FUNCTION " + name + "_fail()");
        }
        return new Outage(name, triggers);
    }

    /** See {@link #failing}. */
    public record Outage(String name, Map<String, String> triggers) implements AutoCloseable {
        /** Waits until a parking was refused; fails after the timeout. */
        public void awaitRefusedParking(Duration timeout) throws Exception {
            awaitCount("SELECT CASE WHEN is_called THEN 1 ELSE 0 END FROM " + name + "_refused_parks", 1, timeout,
                    "a parking attempted");
        }

        /** The ledger is back: updates succeed again. */
        public void end() throws SQLException {
            sql("DELETE FROM " + name + "_failing");
        }

        @Override
        public void close() throws SQLException {
            for (String table : triggers.keySet()) {
                sql("DROP TRIGGER " + name + "_fail_" + table + " ON " + table);
            }
        }
    }
}
