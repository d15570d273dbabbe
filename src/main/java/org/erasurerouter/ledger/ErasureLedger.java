package org.erasurerouter.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.erasurerouter.intake.ErasureRequest;

/**
 * The erasure ledger in PostgreSQL: one row per request and one per request and store, holding ids, statuses and
 * counts only, never a name. It is what makes a redelivered or replayed request skip the stores already done, and
 * what operators read to prove an erasure. A bean rather than camel-sql because each step is an upsert or a small
 * transaction whose result the route needs.
 */
public class ErasureLedger {

    /** Status of a request in one store; QUEUED waits for a batch of its store (see BatchQueue). */
    public enum Status { PENDING, RUNNING, FAILED, DONE, SKIPPED, PARKED, QUEUED }

    private static final int MAX_ERROR_LENGTH = 300;
    /** Locks requests' rows, always in one order, so two transactions locking several cannot deadlock. */
    private static final String LOCK_REQUESTS =
            "SELECT 1 FROM erasure_request WHERE request_id = ANY (?) ORDER BY request_id FOR UPDATE";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final DataSource dataSource;
    private NameFingerprint fingerprints;

    public ErasureLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** How names are fingerprinted from now on (set once at start-up, before any request is opened). */
    public void fingerprintWith(NameFingerprint fingerprints) {
        this.fingerprints = fingerprints;
    }

    /** How names are fingerprinted. */
    public NameFingerprint fingerprints() {
        return fingerprints;
    }

    /** The key made once in the ledger database for name fingerprints, used when no secret is configured. */
    public byte[] storedFingerprintKey() {
        return query("SELECT secret FROM erasure_secret WHERE name = 'name-fingerprint'", rs -> rs.getBytes(1)).get(0);
    }

    /** Creates the ledger tables when missing; an advisory lock keeps instances starting together from racing. */
    public void createSchema() {
        run(c -> {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(4711007)");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS erasure_request (
                          request_id      text PRIMARY KEY,
                          user_id         text NOT NULL,
                          action          text NOT NULL,
                          organisation_id text,
                          to_user_id      text,
                          asset_ids       text,
                          event_time      timestamptz,
                          received_at     timestamptz NOT NULL DEFAULT now(),
                          finished_at     timestamptz,
                          status          text NOT NULL,
                          deliveries      int NOT NULL DEFAULT 1,
                          duplicates      int NOT NULL DEFAULT 0,
                          replays         int NOT NULL DEFAULT 0)""");
                createIndex(c, "erasure_request_by_user", "erasure_request (user_id)");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS erasure_store (
                          request_id     text NOT NULL REFERENCES erasure_request ON DELETE CASCADE,
                          store          text NOT NULL,
                          status         text NOT NULL,
                          assets_touched int NOT NULL DEFAULT 0,
                          attempts       int NOT NULL DEFAULT 0,
                          last_error     text,
                          updated_at     timestamptz NOT NULL DEFAULT now(),
                          PRIMARY KEY (request_id, store))""");
                // null until the store's writes are re-read; 0 proves no target field kept the user's data
                addColumn(c, "erasure_store", "copies_left", "int");
                // a store row changes status three or four times in a request's life: with no index on its status and
                // room left on each page, PostgreSQL rewrites it in place (a HOT update) instead of adding index entries
                dropIndex(c, "erasure_store_by_status");
                setStorage(c, "erasure_store", "fillfactor=70");
                // the batch that carried out a batched store's work (the jdbc store), for tracing a row to its statement
                addColumn(c, "erasure_store", "batch_id", "text");
                // for the assets report and for finding array copies of the name after the event is gone: the
                // user's roles as the event gave them, and a keyed hash of the name (never the name)
                addColumn(c, "erasure_request", "roles", "text");
                addColumn(c, "erasure_request", "name_fingerprint", "text");
                createIndex(c, "erasure_request_by_finish", "erasure_request (finished_at)");
                // the key of the name fingerprints when erasure.pii.hash-secret is not set, made once for all instances
                st.execute("CREATE TABLE IF NOT EXISTS erasure_secret (name text PRIMARY KEY, secret bytea NOT NULL)");
                // the write time last given to each content hierarchy rewritten, which fences later writes (HierarchyLocks)
                st.execute("CREATE TABLE IF NOT EXISTS hierarchy_write (identifier text PRIMARY KEY, write_time bigint NOT NULL)");
                // reconciliation runs: one at a time (an advisory lock), each covering a window of finished requests
                st.execute("""
                        CREATE TABLE IF NOT EXISTS erasure_reconciliation (
                          run_id       text PRIMARY KEY,
                          trigger      text NOT NULL,
                          window_start timestamptz NOT NULL,
                          window_end   timestamptz NOT NULL,
                          report_date  date NOT NULL,
                          started_at   timestamptz NOT NULL DEFAULT now(),
                          finished_at  timestamptz,
                          status       text NOT NULL,
                          summary      text)""");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO erasure_secret VALUES ('name-fingerprint', ?) ON CONFLICT DO NOTHING")) {
                byte[] key = new byte[32];
                new java.security.SecureRandom().nextBytes(key);
                ps.setBytes(1, key);
                ps.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    /**
     * Adds a column the table lacks. Only then: {@code ADD COLUMN IF NOT EXISTS} takes the table's exclusive lock even
     * when the column is there, and an instance starting beside running ones would block their ledger work, or
     * deadlock with a query reading two ledger tables (seen in ScaleOutAndCrashIT).
     */
    private static void addColumn(Connection c, String table, String column, String definition) throws SQLException {
        if (!exists(c, "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ? AND NOT attisdropped",
                table, column)) {
            try (var st = c.createStatement()) {
                st.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column + " " + definition);
            }
        }
    }

    /** Creates an index that is missing; as {@link #addColumn}, {@code CREATE INDEX IF NOT EXISTS} locks the table first. */
    private static void createIndex(Connection c, String index, String on) throws SQLException {
        if (!relationExists(c, index)) {
            try (var st = c.createStatement()) {
                st.execute("CREATE INDEX IF NOT EXISTS " + index + " ON " + on);
            }
        }
    }

    /** Drops an index that is there; as {@link #addColumn}, only then. */
    private static void dropIndex(Connection c, String index) throws SQLException {
        if (relationExists(c, index)) {
            try (var st = c.createStatement()) {
                st.execute("DROP INDEX IF EXISTS " + index);
            }
        }
    }

    /** Sets a storage parameter ({@code name=value}) the table lacks; as {@link #addColumn}, only then. */
    private static void setStorage(Connection c, String table, String parameter) throws SQLException {
        if (!exists(c, "SELECT 1 FROM pg_class WHERE oid = to_regclass(?) AND ? = ANY (coalesce(reloptions, '{}'))",
                table, parameter)) {
            try (var st = c.createStatement()) {
                st.execute("ALTER TABLE " + table + " SET (" + parameter + ")");
            }
        }
    }

    /** Whether a table or index of that name is there. */
    private static boolean relationExists(Connection c, String name) throws SQLException {
        return exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL", name);
    }

    private static boolean exists(Connection c, String query, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, query, params); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * Creates the table of the batch queue {@code name} (see {@link BatchQueue}), the value of {@code setting}, when
     * missing. A table of that name in another layout, such as the JDBC aggregation repository earlier versions kept
     * batches in, is refused at start-up: the requests waiting there would never be carried out.
     */
    public void createBatchQueue(String name, String setting) {
        plainTableName(setting, name);
        run(c -> {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(4711007)");
                if (relationExists(c, name) && !exists(c, "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?)"
                        + " AND attname = 'claimed_at' AND NOT attisdropped", name)) {
                    throw new org.erasurerouter.InvalidSettingException("the batch queue '" + name + "' is a table of"
                            + " another layout (an earlier version's batch repository?): let its batches finish with that"
                            + " version, or name another table in " + setting);
                }
                st.execute("CREATE TABLE IF NOT EXISTS " + name + " (request_id text PRIMARY KEY,"
                        + " queued_at timestamptz NOT NULL DEFAULT now(), batch_id text, claimed_at timestamptz)");
            }
            c.commit();
            return null;
        });
    }

    private static void plainTableName(String setting, String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new org.erasurerouter.InvalidSettingException(setting + " '" + name + "' is not a plain lower-case table name");
        }
    }

    /** Every store the runtime knows, in the order the ledger lists them. */
    public static final List<String> STORES = List.of("neo4j", "cassandra", "elasticsearch", "redis", "jdbc");

    /** Stores that hold rows about users rather than assets: an ownership transfer has nothing to do there. */
    private static final Set<String> USER_ROW_STORES = Set.of("jdbc");

    /**
     * Records a request and its work per store: {@code stores} are worked on (PENDING), the others SKIPPED (and the
     * SQL sinks for a transfer). A redelivered request keeps its rows and only counts the delivery. Answers those of
     * {@code ofStores} (comma-separated) whose work for the request is not yet DONE or SKIPPED, by name, as
     * {@link #remaining} does.
     */
    public List<String> open(ErasureRequest request, String stores, String ofStores) {
        return open(request, stores, ofStores, null);
    }

    /**
     * Records a request as {@link #open(ErasureRequest, String, String)} does and, when {@code queueTable} is given,
     * queues it there in the same statement: its work in {@code ofStores} not yet DONE or SKIPPED is marked QUEUED and
     * the request is added to the queue (released from a claim it is under), or not queued when none is left (a
     * redelivered event whose stores of record are all done). The request is marked QUEUED either way: a batch closes
     * it, or the caller when nothing was queued. One statement, so an event's intake is one round trip shorter and the
     * request is never recorded without being queued (see {@link BatchQueue#open}).
     */
    List<String> open(ErasureRequest request, String stores, String ofStores, String queueTable) {
        Set<String> enabled = new java.util.HashSet<>(names(stores));
        if (ErasureRequest.OWNERSHIP_TRANSFER.equals(request.action())) {
            enabled.removeAll(USER_ROW_STORES);
        }
        Set<String> wanted = names(ofStores);
        // one statement, so one round trip and no transaction of its own (an event's intake had three here, a fourth
        // asking what remains and a fifth queueing a deletion). A row already there is answered as it stands, or as
        // queued: DO UPDATE waits for and returns the latest committed row, where DO NOTHING would return nothing and a
        // later read in the same statement would not see a row another instance inserted meanwhile.
        // The work in these stores still to do is marked QUEUED (none when not queued).
        String[] queued = queueTable == null ? new String[0] : wanted.toArray(String[]::new);
        List<String[]> rows = run(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH p AS (SELECT ?::text[] AS enabled, ?::text[] AS queued),
                    request AS (
                      INSERT INTO erasure_request (request_id, user_id, action, organisation_id, to_user_id, asset_ids,
                                                   event_time, status, roles, name_fingerprint)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                      ON CONFLICT (request_id) DO UPDATE SET deliveries = erasure_request.deliveries + 1,
                                                             status = excluded.status, finished_at = NULL,
                                                             name_fingerprint = coalesce(erasure_request.name_fingerprint,
                                                                                         excluded.name_fingerprint)
                      RETURNING request_id),
                    work AS (
                      INSERT INTO erasure_store (request_id, store, status)
                      SELECT request.request_id, s.store, CASE WHEN s.store <> ALL (p.enabled) THEN 'SKIPPED'
                                                               WHEN s.store = ANY (p.queued) THEN 'QUEUED' ELSE 'PENDING' END
                        FROM request, p, unnest(?::text[]) AS s (store)
                      ON CONFLICT (request_id, store) DO UPDATE SET
                        status = CASE WHEN erasure_store.status NOT IN ('DONE', 'SKIPPED')
                                       AND erasure_store.store = ANY ((SELECT queued FROM p)::text[])
                                      THEN 'QUEUED' ELSE erasure_store.status END,
                        updated_at = CASE WHEN erasure_store.status NOT IN ('DONE', 'SKIPPED')
                                           AND erasure_store.store = ANY ((SELECT queued FROM p)::text[])
                                          THEN now() ELSE erasure_store.updated_at END
                      RETURNING store, status)
                    """ + (queueTable == null ? "" : """
                    , into_queue AS (
                      INSERT INTO %s (request_id)
                      SELECT request_id FROM request
                       WHERE EXISTS (SELECT FROM work, p WHERE work.status = 'QUEUED' AND work.store = ANY (p.queued))
                      ON CONFLICT (request_id) DO UPDATE SET batch_id = NULL, claimed_at = NULL)
                    """.formatted(queueTable)) + "SELECT store, status FROM work")) {
                // one statement for the five rows: a row statement each was a fifth of the ledger's database time
                ps.setArray(1, c.createArrayOf("text", enabled.toArray()));
                ps.setArray(2, c.createArrayOf("text", queued));
                ps.setString(3, request.requestId());
                ps.setString(4, request.userId());
                ps.setString(5, request.action());
                ps.setString(6, request.organisationId());
                ps.setString(7, request.toUserId());
                ps.setString(8, assetIdsColumn(request.assetIds()));
                ps.setTimestamp(9, request.eventTime() > 0 ? Timestamp.from(Instant.ofEpochMilli(request.eventTime())) : null);
                ps.setString(10, queueTable == null ? "RUNNING" : "QUEUED");
                ps.setString(11, request.roles().isEmpty() ? null : String.join(",", request.roles()));
                ps.setString(12, request.nameFingerprint() != null ? request.nameFingerprint()
                        : fingerprints == null ? null : fingerprints.of(request.userName()));
                ps.setArray(13, c.createArrayOf("text", STORES.toArray()));
                List<String[]> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
                return out;
            }
        });
        return rows.stream().filter(row -> wanted.contains(row[0]) && !DONE_OR_SKIPPED.contains(row[1]))
                .map(row -> row[0]).sorted().toList();
    }

    private static final Set<String> DONE_OR_SKIPPED = Set.of("DONE", "SKIPPED");

    /** Those of {@code stores} (comma-separated) whose work for the request is not yet DONE or SKIPPED. */
    public List<String> remaining(String requestId, String stores) {
        Set<String> wanted = names(stores);
        return query("SELECT store FROM erasure_store WHERE request_id = ? AND status NOT IN ('DONE', 'SKIPPED') ORDER BY store",
                rs -> rs.getString(1), requestId).stream().filter(wanted::contains).toList();
    }

    /** A store begins (or begins again) its work for a request. */
    public void started(String requestId, String store) {
        update("UPDATE erasure_store SET status = 'RUNNING', attempts = attempts + 1, updated_at = now() WHERE request_id = ? AND store = ?",
                requestId, store);
    }

    /** An attempt failed and will be retried. */
    public void retrying(ErasureRequest request, String store, Throwable cause) {
        update("UPDATE erasure_store SET status = 'FAILED', attempts = attempts + 1, last_error = ?, "
                + "copies_left = coalesce(?, copies_left), updated_at = now() WHERE request_id = ? AND store = ?",
                describe(cause, request), copiesLeft(cause), request.requestId(), store);
    }

    /**
     * A store finished its work for a request, having rewritten or removed {@code assetsTouched} records, and re-read
     * them: no copy is left.
     */
    public void done(String requestId, String store, int assetsTouched) {
        doneAll(Map.of(requestId, assetsTouched), store);
    }

    /** A store gave up after its retries; the work waits for a replay. Answers the attempts made so far. */
    public int parked(ErasureRequest request, String store, Throwable cause) {
        List<Integer> attempts = query("UPDATE erasure_store SET status = 'PARKED', last_error = ?, "
                + "copies_left = coalesce(?, copies_left), updated_at = now() WHERE request_id = ? AND store = ? "
                + "RETURNING attempts", rs -> rs.getInt(1), describe(cause, request), copiesLeft(cause),
                request.requestId(), store);
        return attempts.isEmpty() ? 0 : attempts.get(0);
    }

    /**
     * Closes a request as far as it can be: DONE when every store is DONE or SKIPPED, PARKED when any store is parked
     * (both with the finishing time), else QUEUED: work waits in a batch, whose end closes the request again. Returns it.
     */
    public String finish(String requestId) {
        String status = finishAll(List.of(requestId)).get(requestId);
        // unchanged: another close (its batch) got there first
        return status != null ? status : query("SELECT status FROM erasure_request WHERE request_id = ?",
                rs -> rs.getString(1), requestId).stream().findFirst().orElse(null);
    }

    /**
     * Closes several requests at once, as {@link #finish} closes one: answers the status of each request this call
     * changed (one another close, e.g. its SQL batch's, already brought to the same state is left out, so it is
     * counted, timed and logged once).
     */
    public Map<ErasureRequest, String> finishRequests(List<ErasureRequest> requests) {
        Map<String, String> statuses = finishAll(requests.stream().map(ErasureRequest::requestId).toList());
        Map<ErasureRequest, String> closed = new java.util.LinkedHashMap<>();
        requests.stream().filter(request -> statuses.containsKey(request.requestId()))
                .forEach(request -> closed.put(request, statuses.get(request.requestId())));
        return closed;
    }

    /** Closes several requests at once, as {@link #finish} closes one: answers, by request id, the statuses it changed. */
    public Map<String, String> finishAll(List<String> requestIds) {
        return run(c -> {
            c.setAutoCommit(false);
            Map<String, String> statuses = closeLocked(c, lockRequests(c, requestIds));
            c.commit();
            return statuses;
        });
    }

    /**
     * Locks the requests' rows, in one order (so two batches cannot deadlock), in the transaction of {@code c}: the
     * stores' statuses are then read by a later statement, after any other close has committed, so a request closed by
     * its batch and by its own route at the same moment ends with the later state, not a stale one.
     */
    private static java.sql.Array lockRequests(Connection c, List<String> requestIds) throws SQLException {
        java.sql.Array ids = c.createArrayOf("text", requestIds.toArray());
        try (PreparedStatement lock = c.prepareStatement(LOCK_REQUESTS)) {
            lock.setArray(1, ids);
            lock.executeQuery().close();
        }
        return ids;
    }

    /** {@link #finishAll}'s close of requests {@link #lockRequests locked} in the transaction of {@code c}. */
    private static Map<String, String> closeLocked(Connection c, java.sql.Array ids) throws SQLException {
        Map<String, String> statuses = new java.util.LinkedHashMap<>();
        try (PreparedStatement close = c.prepareStatement("""
                WITH overall AS (
                  SELECT r.request_id,
                         CASE WHEN bool_and(coalesce(s.status IN ('DONE', 'SKIPPED'), true)) THEN 'DONE'
                              WHEN bool_or(s.status = 'PARKED') THEN 'PARKED' ELSE 'QUEUED' END AS status
                    FROM erasure_request r LEFT JOIN erasure_store s USING (request_id)
                   WHERE r.request_id = ANY (?) GROUP BY r.request_id)
                UPDATE erasure_request r SET status = o.status, finished_at = CASE WHEN o.status <> 'QUEUED' THEN now() END
                  FROM overall o WHERE r.request_id = o.request_id AND r.status IS DISTINCT FROM o.status
                RETURNING r.request_id, r.status""")) {
            close.setArray(1, ids);
            try (ResultSet rs = close.executeQuery()) {
                while (rs.next()) {
                    statuses.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return statuses;
    }

    /** A store finished its work for each request of a batch, having changed that many records of each: as {@link #done}. */
    public void doneAll(Map<String, Integer> touchedPerRequest, String store) {
        run(c -> {
            markDone(c, touchedPerRequest, store);
            return null;
        });
    }

    /** {@link #doneAll}'s one statement for the whole batch (not one per request), in the transaction of {@code c}. */
    private static void markDone(Connection c, Map<String, Integer> touchedPerRequest, String store) throws SQLException {
        List<String> requestIds = List.copyOf(touchedPerRequest.keySet());
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE erasure_store e SET status = 'DONE', assets_touched = t.touched, copies_left = 0,
                                           last_error = NULL, updated_at = now()
                  FROM unnest(?::text[], ?::int[]) AS t (request_id, touched)
                 WHERE e.request_id = t.request_id AND e.store = ?""")) {
            ps.setArray(1, c.createArrayOf("text", requestIds.toArray()));
            ps.setArray(2, c.createArrayOf("int4", requestIds.stream().map(touchedPerRequest::get).toArray()));
            ps.setString(3, store);
            ps.executeUpdate();
        }
    }

    /** Those of the requests not yet DONE, as the ledger keeps them, to be finished after their batch. */
    public List<ErasureRequest> unfinished(List<String> requestIds) {
        return query("SELECT " + REQUEST_COLUMNS + " FROM erasure_request WHERE request_id = ANY (?) AND status <> 'DONE' "
                + "ORDER BY request_id", ErasureLedger::request, (Object) requestIds.toArray(String[]::new));
    }

    /**
     * A batch begins: those of its requests whose work in {@code store} is still open are marked RUNNING under the
     * batch's id and answered (a request finished meanwhile, e.g. by a batch recovered after a crash, is left out).
     */
    public List<ErasureRequest> startBatch(List<String> requestIds, String store, String batchId) {
        return query("""
                WITH started AS (
                  UPDATE erasure_store SET status = 'RUNNING', attempts = attempts + 1, batch_id = ?, updated_at = now()
                   WHERE request_id = ANY (?) AND store = ? AND status NOT IN ('DONE', 'SKIPPED')
                  RETURNING request_id)
                SELECT r.request_id, r.action, r.user_id, r.organisation_id, r.event_time, r.to_user_id, r.asset_ids,
                       r.roles, r.name_fingerprint
                  FROM erasure_request r JOIN started USING (request_id) ORDER BY r.request_id""",
                ErasureLedger::request, batchId, requestIds.toArray(String[]::new), store);
    }

    /**
     * A batch committed and was re-read: each request's work in {@code store} is DONE, and the request is closed again,
     * in one transaction. Apart, a crash between them would leave the work DONE, which a batch claimed again skips, and
     * the request open for good. Answers the statuses that changed (see {@link #finishAll}).
     */
    public Map<String, String> finishBatch(Map<String, Integer> rowsPerRequest, String store) {
        return run(c -> {
            c.setAutoCommit(false);
            java.sql.Array ids = lockRequests(c, List.copyOf(rowsPerRequest.keySet()));
            markDone(c, rowsPerRequest, store);
            Map<String, String> statuses = closeLocked(c, ids);
            c.commit();
            return statuses;
        });
    }

    /**
     * Whether a deletion of the user has been recorded (whatever its status): a transfer to that user must not write
     * their name into the assets it hands over, as the deletion may have run before the transfer arrived.
     */
    public boolean deletionRecorded(String userId) {
        return userId != null && query("SELECT EXISTS (SELECT 1 FROM erasure_request WHERE user_id = ? AND action = ?)",
                rs -> rs.getBoolean(1), userId, ErasureRequest.DELETE_USER).get(0);
    }

    /** Counts a duplicate delivery of a request that was already applied. */
    public void duplicate(String requestId) {
        update("UPDATE erasure_request SET duplicates = duplicates + 1 WHERE request_id = ?", requestId);
    }

    /**
     * Sets the parked work of matching requests back to PENDING and queues those requests in {@code queueTable} for a
     * replay, in one transaction (see {@link BatchQueue#replayParked}); answers their ids. Null or blank filters match
     * everything.
     */
    List<String> requeueParked(String userId, String store, String queueTable) {
        String user = blankToNull(userId);
        String onlyStore = blankToNull(store);
        return run(c -> {
            c.setAutoCommit(false);
            // the requests are locked first, in one order, as finishAll and open lock them, so a replay cannot deadlock
            // with a batch's close or a redelivered event
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT DISTINCT s.request_id FROM erasure_store s JOIN erasure_request r USING (request_id)
                     WHERE s.status = 'PARKED' AND (?::text IS NULL OR r.user_id = ?) AND (?::text IS NULL OR s.store = ?)""")) {
                ps.setString(1, user);
                ps.setString(2, user);
                ps.setString(3, onlyStore);
                ps.setString(4, onlyStore);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            java.sql.Array requestIds = lockRequests(c, ids);
            // parked work only (what another pass made of it while the lock was awaited counts), and only those requests
            List<String> reset = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE erasure_store SET status = 'PENDING', updated_at = now()
                     WHERE request_id = ANY (?) AND status = 'PARKED' AND (?::text IS NULL OR store = ?)
                    RETURNING request_id""")) {
                ps.setArray(1, requestIds);
                ps.setString(2, onlyStore);
                ps.setString(3, onlyStore);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reset.add(rs.getString(1));
                    }
                }
            }
            requestIds = c.createArrayOf("text", reset.stream().distinct().toArray());
            List<String> replayed = queueToRunAgain(c, requestIds, queueTable);
            c.commit();
            return replayed;
        });
    }

    /**
     * Sets the work of a finished request in {@code stores} back to PENDING, for an erasure found incomplete afterwards
     * (only work that was DONE: parked work waits for its replay), and queues the request in {@code queueTable}, in one
     * transaction; answers whether any was reset (and the request queued).
     */
    boolean reopen(String requestId, java.util.Collection<String> stores, String queueTable) {
        return run(c -> {
            c.setAutoCommit(false);
            java.sql.Array requestIds = lockRequests(c, List.of(requestId));
            boolean reset;
            try (PreparedStatement ps = c.prepareStatement("UPDATE erasure_store SET status = 'PENDING', copies_left = NULL,"
                    + " updated_at = now() WHERE request_id = ? AND store = ANY (?) AND status = 'DONE'")) {
                ps.setString(1, requestId);
                ps.setArray(2, c.createArrayOf("text", stores.toArray()));
                reset = ps.executeUpdate() > 0;
            }
            if (reset) {
                queueToRunAgain(c, requestIds, queueTable);
            }
            c.commit();
            return reset;
        });
    }

    /**
     * Marks requests {@link #lockRequests locked} in the transaction of {@code c} RUNNING again, counts the replay and
     * queues them in {@code queueTable} (released from a claim they are under, so work reset while a replay of theirs
     * runs is carried out by the next one); answers their ids.
     */
    private static List<String> queueToRunAgain(Connection c, java.sql.Array requestIds, String queueTable) throws SQLException {
        List<String> reopened = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH reopened AS (
                  UPDATE erasure_request SET replays = replays + 1, status = 'RUNNING', finished_at = NULL
                   WHERE request_id = ANY (?) RETURNING request_id)
                INSERT INTO %s (request_id) SELECT request_id FROM reopened
                ON CONFLICT (request_id) DO UPDATE SET batch_id = NULL, claimed_at = NULL
                RETURNING request_id""".formatted(queueTable))) {
            ps.setArray(1, requestIds);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reopened.add(rs.getString(1));
                }
            }
        }
        return reopened;
    }

    /** The request with this id as the ledger keeps it (see {@link #request(ResultSet)}). */
    public ErasureRequest find(String requestId) {
        List<ErasureRequest> found = query("SELECT " + REQUEST_COLUMNS + " FROM erasure_request WHERE request_id = ?",
                ErasureLedger::request, requestId);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no request " + requestId + " in the ledger");
        }
        return found.get(0);
    }

    /** The columns {@link #request(ResultSet)} reads, in its order. */
    public static final String REQUEST_COLUMNS =
            "request_id, action, user_id, organisation_id, event_time, to_user_id, asset_ids, roles, name_fingerprint";

    /** A request as the ledger keeps it (no names, the name's fingerprint), from {@link #REQUEST_COLUMNS}. */
    public static ErasureRequest request(ResultSet rs) throws SQLException {
        Timestamp eventTime = rs.getTimestamp(5);
        return new ErasureRequest(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                eventTime == null ? 0 : eventTime.getTime(), null, rs.getString(6), null,
                assetIds(rs.getString(7)), List.copyOf(names(rs.getString(8))), rs.getString(9));
    }

    /**
     * A request's asset ids as the ledger keeps them: comma-separated, as instances of earlier versions read them, or
     * as a JSON array when an identifier would not come back whole that way (a comma, a leading {@code [}, spaces at an
     * end); none: null.
     */
    static String assetIdsColumn(List<String> assetIds) {
        if (assetIds.isEmpty()) {
            return null;
        }
        String joined = String.join(",", assetIds);
        if (!joined.startsWith("[") && List.copyOf(names(joined)).equals(assetIds)) {
            return joined;
        }
        try {
            return JSON.writeValueAsString(assetIds);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("asset ids could not be written as JSON", e);
        }
    }

    /** The asset ids {@link #assetIdsColumn} kept. */
    static List<String> assetIds(String column) {
        if (column != null && column.startsWith("[")) {
            try {
                return List.of(JSON.readValue(column, String[].class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // not an array: kept comma-separated, its first identifier starting with [
            }
        }
        return List.copyOf(names(column));
    }

    /** Every request for a user with its work per store, newest first, as the read-only API answers it. */
    public Map<String, Object> erasuresOf(String userId) {
        Map<String, Map<String, Object>> requests = new LinkedHashMap<>();
        run(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT r.request_id, r.action, r.organisation_id, r.status, r.event_time, r.received_at, r.finished_at,
                           r.deliveries, r.duplicates, r.replays, s.store, s.status, s.assets_touched, s.attempts,
                           s.last_error, s.updated_at, s.copies_left, s.batch_id
                      FROM erasure_request r JOIN erasure_store s ON s.request_id = r.request_id
                     WHERE r.user_id = ? ORDER BY r.received_at DESC, r.request_id, s.store""")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> request = requests.computeIfAbsent(rs.getString(1), id -> new LinkedHashMap<>());
                        if (request.isEmpty()) {
                            request.put("requestId", rs.getString(1));
                            request.put("action", rs.getString(2));
                            request.put("organisationId", rs.getString(3));
                            request.put("status", rs.getString(4));
                            request.put("eventTime", instant(rs.getTimestamp(5)));
                            request.put("receivedAt", instant(rs.getTimestamp(6)));
                            request.put("finishedAt", instant(rs.getTimestamp(7)));
                            request.put("deliveries", rs.getInt(8));
                            request.put("duplicates", rs.getInt(9));
                            request.put("replays", rs.getInt(10));
                            request.put("stores", new LinkedHashMap<String, Object>());
                        }
                        Map<String, Object> store = new LinkedHashMap<>();
                        store.put("status", rs.getString(12));
                        store.put("assetsTouched", rs.getInt(13));
                        store.put("attempts", rs.getInt(14));
                        store.put("lastError", rs.getString(15));
                        store.put("updatedAt", instant(rs.getTimestamp(16)));
                        store.put("copiesLeft", rs.getObject(17));
                        store.put("batchId", rs.getString(18));
                        @SuppressWarnings("unchecked")
                        Map<String, Object> stores = (Map<String, Object>) request.get("stores");
                        stores.put(rs.getString(11), store);
                    }
                }
            }
            return null;
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("userId", userId);
        answer.put("erasures", new ArrayList<>(requests.values()));
        return answer;
    }

    /** A failure as the ledger keeps it, for a request whose event may have carried the user's name. */
    public static String describe(Throwable cause, ErasureRequest request) {
        return describe(cause, request == null ? null : request.userName());
    }

    /**
     * The body of a parked record on the dead-letter topic: the event as it arrived, or, for a replayed request that
     * has none, its ids as JSON (never the name).
     */
    public static byte[] parkedRecord(byte[] rawEvent, ErasureRequest request) {
        if (rawEvent != null) {
            return rawEvent;
        }
        Map<String, Object> ids = new LinkedHashMap<>();
        ids.put("requestId", request.requestId());
        ids.put("action", request.action());
        ids.put("userId", request.userId());
        ids.put("organisationId", request.organisationId());
        ids.put("toUserId", request.toUserId());
        ids.put("assetIds", request.assetIds());
        try {
            return JSON.writeValueAsBytes(ids);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write the ids of request " + request.requestId(), e);
        }
    }

    /**
     * A failure as the ledger keeps it: the root cause's type and first message line, shortened, with the user's
     * name masked in case a driver quoted it back.
     */
    public static String describe(Throwable cause, String userName) {
        if (cause == null) {
            return null;
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
        String text = root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        if (userName != null && !userName.isBlank()) {
            text = text.replace(userName, "[name]");
        }
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) + "…" : text;
    }

    private static Integer copiesLeft(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.erasurerouter.scrub.CopiesRemainException remain) {
                return remain.copies();
            }
        }
        return null;
    }

    /** The names of a comma-separated setting (stores, statuses), trimmed, blanks left out, in order. */
    public static Set<String> names(String csv) {
        return csv == null ? Set.of() : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String instant(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }

    private interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T run(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new LedgerException("erasure ledger: " + e.getClass().getSimpleName() + " (SQL state " + e.getSQLState() + ")", e);
        }
    }

    void update(String sql, Object... params) {
        run(c -> {
            try (PreparedStatement ps = prepare(c, sql, params)) {
                return ps.executeUpdate();
            }
        });
    }

    <T> List<T> query(String sql, Row<T> row, Object... params) {
        return run(c -> {
            try (PreparedStatement ps = prepare(c, sql, params)) {
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** {@code sql} prepared on {@code c} with {@code params} bound in order. */
    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }

    /** The ledger database failed; the message carries the SQL state, never a value. */
    public static class LedgerException extends RuntimeException {
        public LedgerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
