package org.erasurerouter.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.erasurerouter.ledger.ErasureLedger;
import org.erasurerouter.scrub.Pages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciliation runs over the ledger: which users were erased in a window, one run at a time across every instance
 * (a PostgreSQL advisory lock held for the run, released by the database if the instance dies), and the reports the
 * run writes. A bean rather than camel-sql because the lock lives on one connection for the whole run.
 *
 * <p>The window of a run starts where the last successful run ended, except that a second run on the same day starts
 * where that day's first run started: the day's report objects are then rewritten whole, never with fewer rows.
 */
public class Reconciliation {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciliation.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LOCK = 4711009;
    private static final java.time.format.DateTimeFormatter RUN_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
    private static final String STATUS_REQUEUED = "REQUEUED";
    private static final String LATEST = """
            WITH latest AS (
              SELECT DISTINCT ON (user_id) %s, status
                FROM erasure_request
               WHERE action = 'delete-user' AND finished_at > ? AND finished_at <= ? %s
               ORDER BY user_id, finished_at DESC)
            """;

    private final DataSource dataSource;
    private final String username;
    private final long lockWaitMillis;
    private final int pageSize;
    private final long progressEvery;

    /**
     * @param username       what the report's username column says (the configured replacement, never a name)
     * @param lockWaitMillis how long a trigger waits for another instance's run before it gives up
     * @param pageSize       users read from the ledger at a time
     * @param progressEvery  users between two progress lines
     */
    public Reconciliation(DataSource dataSource, String username, long lockWaitMillis, int pageSize, long progressEvery) {
        this.dataSource = dataSource;
        this.username = username;
        this.lockWaitMillis = lockWaitMillis;
        this.pageSize = pageSize;
        this.progressEvery = progressEvery;
    }

    /**
     * Starts a run, or answers null when this trigger is already answered: another instance ran a window that ended
     * after this trigger came (it waited for that run's lock), or is still running after {@code lockWaitMillis}.
     */
    public ReconciliationRun begin(String trigger) throws SQLException, InterruptedException {
        Connection lock = dataSource.getConnection();
        try {
            lock.setAutoCommit(true);
            Instant triggered = instant(lock, "SELECT clock_timestamp()");
            long deadline = System.nanoTime() + lockWaitMillis * 1_000_000;
            while (!locked(lock)) {
                if (System.nanoTime() > deadline) {
                    LOG.info("reconciliation ({}) skipped: another instance is still reconciling", trigger);
                    lock.close();
                    return null;
                }
                Thread.sleep(250);
            }
            // a run left RUNNING died with its instance (its lock went with its connection)
            execute(lock, "UPDATE erasure_reconciliation SET status = 'FAILED', finished_at = now() WHERE status = 'RUNNING'");
            Instant lastEnd = instant(lock, "SELECT max(window_end) FROM erasure_reconciliation WHERE status = 'DONE'");
            if (lastEnd != null && !lastEnd.isBefore(triggered)) {
                LOG.info("reconciliation ({}) skipped: the run that ended at {} answers it", trigger, lastEnd);
                release(lock);
                return null;
            }
            Instant end = instant(lock, "SELECT clock_timestamp()");
            LocalDate day = LocalDate.ofInstant(end, ZoneOffset.UTC);
            Instant start = dayStart(lock, day, lastEnd);
            long users = count(lock, start, end);
            String runId = "rec-" + RUN_TIME.format(end) + "-" + UUID.randomUUID().toString().substring(0, 8);
            try (PreparedStatement ps = lock.prepareStatement("INSERT INTO erasure_reconciliation (run_id, trigger, "
                    + "window_start, window_end, report_date, status) VALUES (?, ?, ?, ?, ?, 'RUNNING')")) {
                ps.setString(1, runId);
                ps.setString(2, trigger);
                ps.setTimestamp(3, Timestamp.from(start));
                ps.setTimestamp(4, Timestamp.from(end));
                ps.setObject(5, day);
                ps.executeUpdate();
            }
            LOG.info("reconciliation {} ({}) begins: {} users erased between {} and {}", runId, trigger, users, start, end);
            return new ReconciliationRun(runId, trigger, start, end, day, users, lock, progressEvery);
        } catch (SQLException | InterruptedException | RuntimeException e) {
            release(lock);
            throw e;
        }
    }

    /** What a trigger that did not run answers: the latest successful run's summary. */
    public String skipped() throws SQLException, JsonProcessingException {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", "SKIPPED");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT summary FROM erasure_reconciliation WHERE status = 'DONE' ORDER BY window_end DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            answer.put("latest", rs.next() ? JSON.readTree(rs.getString(1)) : null);
        }
        return JSON.writeValueAsString(answer);
    }

    /** The organisations of the run's users (empty for users whose event named none), in order. */
    public List<String> organisations(ReconciliationRun run) throws SQLException {
        List<String> organisations = new ArrayList<>();
        try (PreparedStatement ps = latest(run, "", "SELECT DISTINCT coalesce(organisation_id, '') FROM latest ORDER BY 1");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                organisations.add(rs.getString(1));
            }
        }
        return organisations;
    }

    /** The run's users of one organisation in user id order, read a page at a time. */
    public Iterator<ErasedUser> users(ReconciliationRun run, String organisationId) {
        Pages<ErasedUser> pages = new Pages<>(after -> {
            try (PreparedStatement ps = latest(run, "AND user_id > ?", "SELECT * FROM latest WHERE coalesce(organisation_id, '') = ?"
                    + " ORDER BY user_id LIMIT ?")) {
                ps.setString(3, after);
                ps.setString(4, organisationId);
                ps.setInt(5, pageSize);
                List<ErasedUser> users = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        users.add(new ErasedUser(ErasureLedger.request(rs), rs.getString("status")));
                    }
                }
                return users;
            } catch (SQLException e) {
                throw new ErasureLedger.LedgerException("reconciliation: " + e.getClass().getSimpleName()
                        + " (SQL state " + e.getSQLState() + ")", e);
            }
        }, ErasedUser::userId, pageSize);
        return new Iterator<>() {
            private Iterator<ErasedUser> page = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && pages.hasNext()) {
                    page = pages.next().iterator();
                }
                return page.hasNext();
            }

            @Override
            public ErasedUser next() {
                hasNext();
                return page.next();
            }
        };
    }

    /** Opens the report of one organisation, at {@code <folder><organisationId>.csv}. */
    public OrganisationReport report(ReconciliationRun run, String organisationId) {
        String name = organisationId.isEmpty() ? "no-organisation" : organisationId.replaceAll("[^A-Za-z0-9._-]", "_");
        OrganisationReport report = new OrganisationReport(run.folder() + name + ".csv", organisationId, username);
        run.reported(report.key());
        return report;
    }

    /** Writes a page of the user's assets into the report. */
    public void write(ReconciliationRun run, OrganisationReport report, ErasedUser user, List<Map<String, Object>> assets,
                      Map<String, Integer> residuals, boolean requeued) {
        run.assetsListed(report.write(user, assets, residuals, status(user, requeued)));
    }

    /** Ends a user in the report and counts it in the run. */
    public void checked(ReconciliationRun run, OrganisationReport report, ErasedUser user, Map<String, Integer> residuals,
                        boolean requeued) {
        report.endUser(user, residuals, status(user, requeued));
        run.userChecked(residuals, requeued);
    }

    /** Closes a report's spool and answers the file to upload. */
    public File spooled(OrganisationReport report) {
        return report.close();
    }

    /** Removes a report's spool file. */
    public void discard(OrganisationReport report) {
        report.discard();
    }

    /** The run's summary.json. */
    public String summary(ReconciliationRun run) throws JsonProcessingException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run.summary());
    }

    /** The run succeeded: its summary is kept in the ledger, and the next run starts where it ended. */
    public String finish(ReconciliationRun run) throws SQLException, JsonProcessingException {
        String compact = JSON.writeValueAsString(run.summary());
        try (PreparedStatement ps = run.lock().prepareStatement(
                "UPDATE erasure_reconciliation SET status = 'DONE', finished_at = now(), summary = ? WHERE run_id = ?")) {
            ps.setString(1, compact);
            ps.setString(2, run.runId());
            ps.executeUpdate();
        }
        LOG.info("reconciliation {} done: {}", run.runId(), compact);
        return summary(run);
    }

    /** The run failed: recorded so, and the next run covers its window again. */
    public void failed(ReconciliationRun run, Exception cause) throws SQLException {
        LOG.warn("reconciliation {} failed: {}", run.runId(), ErasureLedger.describe(cause, (String) null));
        try (PreparedStatement ps = run.lock().prepareStatement(
                "UPDATE erasure_reconciliation SET status = 'FAILED', finished_at = now() WHERE run_id = ?")) {
            ps.setString(1, run.runId());
            ps.executeUpdate();
        }
    }

    /** Releases the run's lock (and its connection); safe to call twice. */
    public void release(ReconciliationRun run) {
        if (run != null) {
            release(run.lock());
        }
    }

    private static String status(ErasedUser user, boolean requeued) {
        return requeued ? STATUS_REQUEUED : user.status();
    }

    private PreparedStatement latest(ReconciliationRun run, String filter, String select) throws SQLException {
        Connection c = run.lock();
        PreparedStatement ps = c.prepareStatement(LATEST.formatted(ErasureLedger.REQUEST_COLUMNS, filter) + select);
        ps.setTimestamp(1, Timestamp.from(run.windowStart()));
        ps.setTimestamp(2, Timestamp.from(run.windowEnd()));
        return ps;
    }

    /** Where a window ending on {@code day} starts: the day's first successful run's start, else the last run's end. */
    private static Instant dayStart(Connection c, LocalDate day, Instant lastEnd) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT min(window_start) FROM erasure_reconciliation WHERE status = 'DONE' AND report_date = ?")) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                Timestamp first = rs.next() ? rs.getTimestamp(1) : null;
                return first != null ? first.toInstant() : lastEnd != null ? lastEnd : Instant.EPOCH;
            }
        }
    }

    private static long count(Connection c, Instant start, Instant end) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT user_id) FROM erasure_request "
                + "WHERE action = 'delete-user' AND finished_at > ? AND finished_at <= ?")) {
            ps.setTimestamp(1, Timestamp.from(start));
            ps.setTimestamp(2, Timestamp.from(end));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean locked(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(" + LOCK + ")"); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static Instant instant(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
            return t == null ? null : t.toInstant();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    private static void release(Connection lock) {
        try {
            if (!lock.isClosed()) {
                // closing would only return the connection to the pool, still holding the session's lock
                execute(lock, "SELECT pg_advisory_unlock_all()");
                lock.close();
            }
        } catch (SQLException e) {
            LOG.warn("could not release the reconciliation lock: {} (SQL state {})", e.getClass().getSimpleName(), e.getSQLState());
        }
    }
}
