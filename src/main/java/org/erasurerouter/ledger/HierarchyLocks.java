package org.erasurerouter.ledger;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Serialises every instance's rewrites of a content hierarchy and fences their writes, through the ledger database, so
 * that a hierarchy can be written plainly (at a chosen write time) instead of with a lightweight transaction, which costs
 * Cassandra a Paxos round of its own per row (about 0.6 ms of its CPU each, measured in the benchmark).
 *
 * <p>A pass over some hierarchies, read with the write time of each: {@link #lock} them (PostgreSQL session-level
 * advisory locks, taken on a connection of its own that the pass holds); read again those another pass was fenced for
 * since they were read ({@link #rewrittenSinceRead}); {@link #fence} the writes, which gives each a
 * write time above both the one read and every write time given to this hierarchy before; write them {@code USING
 * TIMESTAMP} that time; re-read them; {@link #release} the locks; {@link #close} the connection in every case.
 *
 * <p>Why this keeps what the compare-and-set ({@code IF hierarchy = ?}) kept, that no rewrite which read an older
 * version can overwrite one proven clean:
 * <ul>
 *   <li>the locks are released only by {@link #release} or by the end of their session. {@link #release} unlocks each
 *   of them on the pass's session and fails unless that session held every one, so if it succeeds the locks were held
 *   from {@link #lock} until then; if the session was lost (its connection dropped, the database restarted, a pooler
 *   in between that switched sessions), it fails and the pass is run again;</li>
 *   <li>a pass whose release succeeds held its locks over its fence, write and re-read, and rewrote a version no write
 *   of another pass can replace: read under the lock, or read before it at a time later than every time fenced for
 *   the hierarchy. A pass that read before this one's fence and locks after it reads again what this one wrote;</li>
 *   <li>a pass that read earlier and whose write is still on its way (a pause, a lost session) was fenced earlier,
 *   while it held the lock, so its write time is lower than this pass's, and Cassandra keeps the higher: its late
 *   write cannot replace this one. Its own pass fails at its release and is run again from the read.</li>
 * </ul>
 * A write of the platform's own, at the time of its clock, is later than the time read and wins, as it did over the
 * compare-and-set; the re-read then tells whether it still holds the user's data.
 *
 * <p>This needs what the ledger needs anyway: a database reached by sessions of its own (directly or with session
 * pooling, as for reconciliation's lock) that keeps what it committed (its fence is committed with
 * {@code synchronous_commit} on, and a standby taking over must be a synchronous one). Cassandra's reads and writes must
 * overlap (erasure.cassandra.consistency, QUORUM by default), so a pass that reads after another wrote reads its
 * write. Locks are keyed by a 32-bit hash of the identifier: two identifiers with the same hash are only serialised
 * more than they need. Each pass locks only the hierarchies it found holding the request's data.
 */
public final class HierarchyLocks {

    /** The first key of every hierarchy lock (the two-key form, apart from the ledger's one-key locks). */
    private static final int SPACE = 4711;
    /** How long a pass waits for locks another pass holds before it fails and is run again. */
    private static final int WAIT_SECONDS = 60;
    /** The distinct lock keys of the identifiers bound as the statement's one parameter, in the order they are taken. */
    private static final String KEYS = "(SELECT DISTINCT hashtext(i) AS k FROM unnest(?::text[]) AS i ORDER BY k) AS keys";

    /** The connection whose session holds the locks of these hierarchies. */
    public record Held(Connection connection, List<String> identifiers) {
    }

    private final DataSource dataSource;

    public HierarchyLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A connection of the ledger's pool, its session holding the locks of these hierarchies. Waits while another pass
     * holds one of them; takes them in the order of their keys, so two passes never wait for each other (PostgreSQL's
     * deadlock check is the backstop). The session commits synchronously until {@link #close}, whatever the
     * database's default.
     */
    public Held lock(List<String> identifiers) throws SQLException {
        Held held = new Held(dataSource.getConnection(), List.copyOf(identifiers));
        try (PreparedStatement ps = held.connection().prepareStatement("SELECT set_config('synchronous_commit', 'on', false),"
                + " (SELECT count(pg_advisory_lock(" + SPACE + ", k)) FROM " + KEYS + ")")) {
            ps.setQueryTimeout(WAIT_SECONDS);
            ps.setArray(1, held.connection().createArrayOf("text", identifiers.toArray()));
            ps.executeQuery().close();
            return held;
        } catch (SQLException | RuntimeException e) {
            close(held);
            throw e;
        }
    }

    /**
     * The identifiers of {@code updates} ({@code [hierarchy, identifier, write time read]}, read before their locks were
     * taken) that a pass was fenced for at or after the time of the version read: only these must be read again under
     * the lock. A pass writes a hierarchy only at a time fenced, and committed, before its write, and the times fenced for
     * a hierarchy only grow; a write can replace the version read only if its time is later, or the same (Cassandra
     * keeps the larger value of a tie, so the version read may not be the one kept: the same time is read again too).
     * For any other identifier every write of a pass, landed or late (its locks lost), has an earlier time than the
     * version read and cannot replace it. The platform's own writes take no lock; one made since the read wins over
     * this pass's write, and the re-read after the write tells whether it holds the user's data.
     */
    public List<String> rewrittenSinceRead(Held held, List<List<Object>> updates) throws SQLException {
        if (updates.isEmpty()) {
            return List.of();
        }
        Connection c = held.connection();
        List<String> rewritten = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT u.identifier FROM unnest(?::text[], ?::bigint[]) AS u (identifier, read)"
                + " JOIN hierarchy_write w ON w.identifier = u.identifier WHERE w.write_time >= u.read")) {
            ps.setArray(1, c.createArrayOf("text", updates.stream().map(update -> update.get(1)).toArray()));
            ps.setArray(2, c.createArrayOf("bigint", updates.stream().map(update -> ((Number) update.get(2)).longValue()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rewritten.add(rs.getString(1));
                }
            }
        }
        return rewritten;
    }

    /**
     * The write time of each update, {@code [hierarchy, identifier, write time read]} becoming {@code [write time,
     * hierarchy, identifier]}: above the time read and above every time given to the hierarchy before, recorded (and
     * committed) before the write is made, on the session holding the locks.
     */
    public List<List<Object>> fence(Held held, List<List<Object>> updates) throws SQLException {
        if (updates.isEmpty()) {
            return List.of();
        }
        Connection c = held.connection();
        String[] identifiers = new String[updates.size()];
        Long[] above = new Long[updates.size()];
        for (int i = 0; i < updates.size(); i++) {
            identifiers[i] = (String) updates.get(i).get(1);
            above[i] = ((Number) updates.get(i).get(2)).longValue() + 1;
        }
        Map<String, Long> times = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hierarchy_write AS w (identifier, write_time)"
                + " SELECT * FROM unnest(?::text[], ?::bigint[]) ON CONFLICT (identifier)"
                + " DO UPDATE SET write_time = greatest(w.write_time + 1, excluded.write_time)"
                + " RETURNING identifier, write_time")) {
            ps.setArray(1, c.createArrayOf("text", identifiers));
            ps.setArray(2, c.createArrayOf("bigint", above));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    times.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        List<List<Object>> fenced = new ArrayList<>(updates.size());
        for (List<Object> update : updates) {
            fenced.add(List.of(times.get((String) update.get(1)), update.get(0), update.get(1)));
        }
        return fenced;
    }

    /**
     * Releases the locks, each on the pass's session, proving they were held since {@link #lock}.
     *
     * @throws IllegalStateException when the session was lost or did not hold every lock: another pass may have
     *                               rewritten the hierarchies in between, so this pass is run again
     */
    public void release(Held held) {
        Connection c = held.connection();
        boolean heldAll;
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(bool_and(pg_advisory_unlock(" + SPACE + ", k)), true)"
                + " FROM " + KEYS)) {
            ps.setArray(1, c.createArrayOf("text", held.identifiers().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                heldAll = rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cassandra: the hierarchies' locks were lost during their pass (SQL state "
                    + e.getSQLState() + "); the pass is run again", e);
        }
        if (!heldAll) {
            throw new IllegalStateException("cassandra: the session releasing the hierarchies' locks did not hold them all"
                    + " (is the ledger database behind a transaction pooler?); the pass is run again");
        }
    }

    /**
     * Gives the connection back with no lock held and the database's own {@code synchronous_commit}. Never fails: a
     * connection whose locks cannot be released is closed for good (its session's locks go with it) instead of going
     * back to the pool still holding them.
     */
    public void close(Held held) {
        if (held == null) {
            return;
        }
        Connection c = held.connection();
        try {
            if (!c.isClosed()) {
                try (var st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock_all(); RESET synchronous_commit");
                }
            }
            c.close();
        } catch (SQLException | RuntimeException e) {
            evict(c);
        }
    }

    private void evict(Connection c) {
        try {
            if (dataSource instanceof HikariDataSource pool) {
                pool.evictConnection(c);
            } else {
                c.close();
            }
        } catch (SQLException | RuntimeException e) {
            // the connection is gone, and its session's locks with it
        }
    }
}
