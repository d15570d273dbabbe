package org.erasurerouter.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The hierarchies' locks and fenced write times on the real ledger database (PostgreSQL), and what the fence does to a
 * late write in the real Cassandra: why a hierarchy can be written plainly and still never lose a rewrite proven clean.
 */
@ExtendWith(RealServers.class)
public class HierarchyLocksIT {
    private static HierarchyLocks locks;
    private static CqlSession cql;
    private static final ExecutorService OTHER_PASS = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void ledgerAndHierarchyStore() {
        ErasureLedger ledger = new ErasureLedger(new DriverManagerDataSource(RealServers.get().jdbcUrl(), "postgres", "postgres"));
        ledger.createSchema();
        locks = new HierarchyLocks(new DriverManagerDataSource(RealServers.get().jdbcUrl(), "postgres", "postgres"));
        cql = CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", RealServers.get().cassandraPort()))
                .withLocalDatacenter("datacenter1").build();
        cql.execute("CREATE KEYSPACE IF NOT EXISTS hierarchy_store WITH replication = {'class':'SimpleStrategy','replication_factor':1}");
        cql.execute("CREATE TABLE IF NOT EXISTS hierarchy_store.content_hierarchy (identifier text PRIMARY KEY, hierarchy text, relational_metadata text)");
    }

    @AfterAll
    static void close() {
        OTHER_PASS.shutdownNow();
        cql.close();
    }

    @Test
    void fencesEachWriteAboveTheTimeReadAndAboveEveryTimeGivenToTheHierarchyBefore() throws Exception {
        String id = "do_" + UUID.randomUUID();
        HierarchyLocks.Held held = locks.lock(List.of(id));
        try {
            assertEquals(List.of(List.of(1_001L, "{}", id)), locks.fence(held, List.of(List.of("{}", id, 1_000L))));
            assertEquals(List.of(List.of(1_002L, "{}", id)), locks.fence(held, List.of(List.of("{}", id, 1_000L))),
                    "a second rewrite that read the same version is written above the first");
            assertEquals(List.of(List.of(5_001L, "{}", id)), locks.fence(held, List.of(List.of("{}", id, 5_000L))),
                    "a newer version read (the platform's edit) is written above");
            locks.release(held);
        } finally {
            locks.close(held);
        }
    }

    @Test
    void readsAgainOnlyTheHierarchiesAPassWasFencedForAtOrAfterTheVersionRead() throws Exception {
        String readBefore = "do_" + UUID.randomUUID();
        String readAtTheFence = "do_" + UUID.randomUUID();
        String readAfter = "do_" + UUID.randomUUID();
        String neverFenced = "do_" + UUID.randomUUID();
        HierarchyLocks.Held first = locks.lock(List.of(readBefore, readAtTheFence, readAfter));
        try {
            locks.fence(first, List.of(List.of("{}", readBefore, 1_000L), List.of("{}", readAtTheFence, 1_000L),
                    List.of("{}", readAfter, 1_000L)));
            locks.release(first);
        } finally {
            locks.close(first);
        }
        HierarchyLocks.Held second = locks.lock(List.of(readBefore, readAtTheFence, readAfter, neverFenced));
        try {
            // each fenced at 1,001 by the first pass
            assertEquals(Set.of(readBefore, readAtTheFence), Set.copyOf(locks.rewrittenSinceRead(second, List.of(
                    List.of("{}", readBefore, 1_000L), List.of("{}", readAtTheFence, 1_001L),
                    List.of("{}", readAfter, 1_002L), List.of("{}", neverFenced, 1_000L)))),
                    "read before the first pass's write, or at its time (a tie Cassandra settles by value): read again;"
                    + " read at a later time (the platform's edit) or never fenced: not");
            assertEquals(List.of(), locks.rewrittenSinceRead(second, List.of()));
            locks.release(second);
        } finally {
            locks.close(second);
        }
    }

    @Test
    void aPassWaitsForTheLocksAnotherPassHoldsOnAnyOfItsHierarchies() throws Exception {
        String shared = "do_" + UUID.randomUUID();
        HierarchyLocks.Held first = locks.lock(List.of(shared));
        Future<HierarchyLocks.Held> second = OTHER_PASS.submit(() -> locks.lock(List.of("do_" + UUID.randomUUID(), shared)));
        try {
            awaitAPassWaitingForAHierarchyLock();
            assertFalse(second.isDone(), "the second pass holds no lock of the first's while the first holds it");

            locks.release(first);

            assertGrantedAndReleased(second);
        } finally {
            locks.close(first);
        }
    }

    @Test
    void aPassWhoseLocksWereLostFailsAtItsFenceAndItsReleaseAndFreesTheHierarchies() throws Exception {
        String id = "do_" + UUID.randomUUID();
        HierarchyLocks.Held lost = locks.lock(List.of(id));
        try {
            terminate(backendOf(lost.connection()));

            assertThrows(SQLException.class, () -> locks.fence(lost, List.of(List.of("{}", id, 1L))));
            IllegalStateException failed = assertThrows(IllegalStateException.class, () -> locks.release(lost));
            assertTrue(failed.getMessage().contains("run again"), failed.getMessage());
            assertGrantedAndReleased(OTHER_PASS.submit(() -> locks.lock(List.of(id))));
        } finally {
            locks.close(lost);
        }
    }

    @Test
    void aReleaseOnASessionThatNoLongerHoldsEveryLockFailsThePass() throws Exception {
        String id = "do_" + UUID.randomUUID();
        HierarchyLocks.Held held = locks.lock(List.of(id, "do_" + UUID.randomUUID()));
        try {
            // what a transaction pooler between the runtime and the database does: the next statement on another session
            held.connection().createStatement().execute("SELECT pg_advisory_unlock(4711, hashtext('" + id + "'))");

            IllegalStateException failed = assertThrows(IllegalStateException.class, () -> locks.release(held));
            assertTrue(failed.getMessage().contains("did not hold them all"), failed.getMessage());
        } finally {
            locks.close(held);
        }
    }

    @Test
    void aLateWriteOfAPassThatLostItsLocksCannotReplaceTheRewriteOfThePassAfterIt() throws Exception {
        String id = "do_" + UUID.randomUUID();
        cql.execute("INSERT INTO hierarchy_store.content_hierarchy (identifier, hierarchy) VALUES (?, ?)",
                id, "{\"creator\":\"Ada Lovelace\",\"children\":[{\"creator\":\"Alan Turing\"}]}");
        long read = writeTime(id);

        // the first pass reads, is fenced, then loses its session before its write reaches Cassandra
        HierarchyLocks.Held stale = locks.lock(List.of(id));
        Object staleTime = locks.fence(stale, List.of(List.of("ignored", id, read))).get(0).get(0);
        terminate(backendOf(stale.connection()));
        locks.close(stale);

        // the next pass reads the same version (the late write has not landed), rewrites its user and proves it clean
        HierarchyLocks.Held next = locks.lock(List.of(id));
        try {
            assertEquals(read, writeTime(id));
            Object nextTime = locks.fence(next, List.of(List.of("ignored", id, read))).get(0).get(0);
            write(nextTime, "{\"creator\":\"Ada Lovelace\",\"children\":[{\"creator\":\"Deleted User\"}]}", id);
            locks.release(next);
        } finally {
            locks.close(next);
        }

        // the first pass's write lands late, from the version it read, with Alan Turing's name in it
        write(staleTime, "{\"creator\":\"Deleted User\",\"children\":[{\"creator\":\"Alan Turing\"}]}", id);

        assertEquals("{\"creator\":\"Ada Lovelace\",\"children\":[{\"creator\":\"Deleted User\"}]}", hierarchy(id),
                "the later pass's rewrite stays; the first pass re-reads, finds its user's name and runs again");
    }

    /** The other pass gets its locks (within 30 s, or the test fails) and releases them. */
    private static void assertGrantedAndReleased(Future<HierarchyLocks.Held> pass) throws Exception {
        HierarchyLocks.Held granted = pass.get(30, TimeUnit.SECONDS);
        try {
            locks.release(granted);
        } finally {
            locks.close(granted);
        }
    }

    private static void write(Object time, String hierarchy, String id) {
        cql.execute("UPDATE hierarchy_store.content_hierarchy USING TIMESTAMP ? SET hierarchy = ? WHERE identifier = ?",
                time, hierarchy, id);
    }

    private static long writeTime(String id) {
        return row(id).getLong("written");
    }

    private static String hierarchy(String id) {
        return row(id).getString("hierarchy");
    }

    private static Row row(String id) {
        return cql.execute("SELECT hierarchy, WRITETIME(hierarchy) AS written FROM hierarchy_store.content_hierarchy"
                + " WHERE identifier = ?", id).one();
    }

    private static int backendOf(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void terminate(int backend) throws SQLException {
        try (Connection c = admin()) {
            c.createStatement().execute("SELECT pg_terminate_backend(" + backend + ")");
        }
    }

    /** Waits until PostgreSQL shows a pass waiting for a hierarchy's lock (bounded: the test fails after 60 s). */
    public static void awaitAPassWaitingForAHierarchyLock() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = admin()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = c.createStatement().executeQuery(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 4711 AND NOT granted")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no pass ever waited for a hierarchy's lock");
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres");
    }
}
