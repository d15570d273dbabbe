package org.erasurerouter.reconcile;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconciliation run: the window of finished requests it covers, the lock it holds in the ledger database while
 * it runs, and its counts. Used by one route at a time (the organisations and users are reconciled in turn).
 */
public final class ReconciliationRun {

    private static final Logger LOG = LoggerFactory.getLogger(ReconciliationRun.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private final String runId;
    private final String trigger;
    private final Instant windowStart;
    private final Instant windowEnd;
    private final LocalDate reportDate;
    private final long users;
    private final Connection lock;
    private final long startedNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private final long progressEvery;
    private final Map<String, Long> residualCopies = new LinkedHashMap<>();
    private final List<String> reports = new ArrayList<>();
    private long usersChecked;
    private long assetsListed;
    private long usersWithResiduals;
    private long usersRequeued;
    private long lastProgressNanos = startedNanos;
    private long endedNanos;

    ReconciliationRun(String runId, String trigger, Instant windowStart, Instant windowEnd, LocalDate reportDate,
                      long users, Connection lock, long progressEvery) {
        this.runId = runId;
        this.trigger = trigger;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.reportDate = reportDate;
        this.users = users;
        this.lock = lock;
        this.progressEvery = progressEvery;
    }

    public String runId() {
        return runId;
    }

    public String trigger() {
        return trigger;
    }

    public Instant windowStart() {
        return windowStart;
    }

    public Instant windowEnd() {
        return windowEnd;
    }

    /** Users erased in the window, each checked once. */
    public long users() {
        return users;
    }

    /** The folder of the run's reports: {@code reports/delete_user_<yyyyMMdd>/}. */
    public String folder() {
        return "reports/delete_user_" + DAY.format(reportDate) + "/";
    }

    LocalDate reportDate() {
        return reportDate;
    }

    Connection lock() {
        return lock;
    }

    void reported(String key) {
        reports.add(key);
    }

    void assetsListed(long assets) {
        assetsListed += assets;
    }

    /** A user was checked; logs progress every {@code progressEvery} users and at least every 10 seconds. */
    void userChecked(Map<String, Integer> residuals, boolean requeued) {
        usersChecked++;
        residuals.forEach((store, copies) -> residualCopies.merge(store, (long) copies, Long::sum));
        usersWithResiduals += residuals.isEmpty() ? 0 : 1;
        usersRequeued += requeued ? 1 : 0;
        long now = System.nanoTime();
        if (usersChecked % progressEvery == 0 || now - lastProgressNanos > Duration.ofSeconds(10).toNanos()) {
            lastProgressNanos = now;
            double seconds = Math.max(1e-3, (now - startedNanos) / 1e9);
            LOG.info("reconciliation {}: {}/{} users checked, {} assets listed, {} users with residual data, {} users/s",
                    runId, usersChecked, users, assetsListed, usersWithResiduals, String.format("%.1f", usersChecked / seconds));
        }
    }

    /**
     * What summary.json says, what the trigger answers and what the run's row in the ledger keeps: the same each time
     * it is asked, its duration counted to the first time.
     */
    public Map<String, Object> summary() {
        if (endedNanos == 0) {
            endedNanos = System.nanoTime();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runId", runId);
        summary.put("trigger", trigger);
        summary.put("windowStart", windowStart.toString());
        summary.put("windowEnd", windowEnd.toString());
        summary.put("startedAt", startedAt.toString());
        summary.put("durationMs", Duration.ofNanos(endedNanos - startedNanos).toMillis());
        summary.put("usersChecked", usersChecked);
        summary.put("assetsListed", assetsListed);
        summary.put("usersWithResiduals", usersWithResiduals);
        summary.put("usersRequeued", usersRequeued);
        summary.put("residualsPerStore", new LinkedHashMap<>(residualCopies));
        summary.put("reports", List.copyOf(reports));
        return summary;
    }

    @Override
    public String toString() {
        return "ReconciliationRun[" + runId + ", " + windowStart + " - " + windowEnd + "]";
    }
}
