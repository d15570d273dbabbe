package org.erasurerouter.ledger;

import java.util.List;
import org.erasurerouter.intake.ErasureRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests waiting for a batch of one kind of store (the content stores, Neo4j, Cassandra and Elasticsearch, or the
 * jdbc store's SQL tables), or to be run again (replays and re-erasures, one request a batch). A table of request ids
 * in the ledger database, shared by every instance on it. A request is queued by the statement that marks its work
 * QUEUED (or PENDING again) in the ledger, so a crash loses none; an instance claims a batch of them once {@code size}
 * wait or the oldest has waited {@code intervalMs}, carries it out and takes it off the queue. A batch not taken off
 * within {@code recoveryMs} (its instance died, or the ledger database failed at the end) is claimed again by any
 * instance; so a batch still being carried out that long runs twice, harmless (every store's pass is idempotent) but
 * wasted. A request queued again while claimed (its event read again, its parked work replayed) is released from that
 * claim, so a later batch carries out whatever was marked QUEUED or PENDING again.
 * <p>
 * A table of ids rather than the aggregator on Camel's JDBC aggregation repository: that repository rewrote the whole
 * batch, serialised, with every request queued (two more statements and a batch's worth of serialisation per event, a
 * quarter of the intake thread's time in a profile), each instance's open batch had to be taken over by the others
 * after a crash, and in Camel 4.17 a batch full at its first add was handed on without ever being stored (a crash then
 * lost it).
 */
public final class BatchQueue {
    private static final Logger LOG = LoggerFactory.getLogger(BatchQueue.class);

    private final ErasureLedger ledger;
    private final String setting;
    private final String table;
    private final int size;
    private final long intervalMs;
    private final long recoveryMs;
    private volatile boolean unreadable;

    /** A queue in {@code table}, the value of {@code setting} (named in errors). */
    public BatchQueue(ErasureLedger ledger, String setting, String table, int size, long intervalMs, long recoveryMs) {
        this.ledger = ledger;
        this.setting = setting;
        this.table = table;
        this.size = size;
        this.intervalMs = intervalMs;
        this.recoveryMs = recoveryMs;
    }

    /** Creates the queue's table when missing (refusing a table of another layout, e.g. an aggregation repository). */
    public BatchQueue create() {
        ledger.createBatchQueue(table, setting);
        return this;
    }

    /**
     * Records a request in the ledger and queues it here, in one statement ({@link ErasureLedger#open}): its work in
     * {@code ofStores} not yet DONE or SKIPPED is marked QUEUED and waits for a batch, and so does the request. Answers
     * those stores; none (and nothing queued) when they were all done before, its event read again: the caller then
     * closes the request as it would any other.
     */
    public List<String> open(ErasureRequest request, String stores, String ofStores) {
        return ledger.open(request, stores, ofStores, table);
    }

    /**
     * Of the requests, those whose work in {@code store} is still open (not DONE or SKIPPED) have it marked QUEUED and
     * wait here for a batch: one statement, whatever their number, so no work is marked QUEUED without being queued
     * (a crash between the two would have left it so, and a replayed or re-erased request is not read again from
     * Kafka). Answers their ids.
     */
    public List<String> queueOpen(List<ErasureRequest> requests, String store) {
        return ledger.query("WITH queued AS (UPDATE erasure_store SET status = 'QUEUED', updated_at = now()"
                + " WHERE request_id = ANY (?) AND store = ? AND status NOT IN ('DONE', 'SKIPPED') RETURNING request_id)"
                + " INSERT INTO " + table + " (request_id) SELECT request_id FROM queued"
                + " ON CONFLICT (request_id) DO UPDATE SET batch_id = NULL, claimed_at = NULL RETURNING request_id",
                rs -> rs.getString(1), requests.stream().map(ErasureRequest::requestId).toArray(String[]::new), store);
    }

    /**
     * Sets the parked work of matching requests back to PENDING and queues them here for a replay, in one transaction,
     * so a replay cut short by a crash is picked up again (the work reset would otherwise wait for an event that is not
     * read again). Answers their ids. Null or blank filters match everything.
     */
    public List<String> replayParked(String userId, String store) {
        return ledger.requeueParked(userId, store, table);
    }

    /**
     * Reopens a finished request's DONE work in {@code stores}, found incomplete by reconciliation, and queues the
     * request here to be erased again, in one transaction; answers whether there was any to reopen.
     */
    public boolean reopen(String requestId, java.util.Collection<String> stores) {
        return ledger.reopen(requestId, stores, table);
    }

    /**
     * Claims the next batch for {@code batchId} and answers its request ids; none while fewer than a batch wait and the
     * oldest has waited less than the interval. Rows another instance is claiming are skipped, not waited for, so two
     * instances never claim one deletion at once. None either while the ledger database cannot be reached.
     */
    public List<String> claim(String batchId) {
        try {
            List<String> batch = claimFor(batchId);
            if (unreadable) {
                unreadable = false;
                LOG.info("the batch queue {} can be read again", table);
            }
            return batch;
        } catch (ErasureLedger.LedgerException e) {
            // the ledger database restarting: logged once, not with every look, and the next look tries again
            if (!unreadable) {
                unreadable = true;
                LOG.warn("the batch queue {} could not be read ({}); looking again every poll", table, e.getMessage());
            }
            return List.of();
        }
    }

    private List<String> claimFor(String batchId) {
        return ledger.query("WITH waiting AS (SELECT request_id, queued_at FROM " + table
                + " WHERE claimed_at IS NULL OR claimed_at < now() - ? * interval '1 millisecond'"
                + " ORDER BY queued_at, request_id LIMIT ? FOR UPDATE SKIP LOCKED),"
                + " due AS (SELECT request_id FROM waiting WHERE (SELECT count(*) >= ?"
                + " OR min(queued_at) <= now() - ? * interval '1 millisecond' FROM waiting))"
                + " UPDATE " + table + " q SET batch_id = ?, claimed_at = now() FROM due WHERE q.request_id = due.request_id"
                + " RETURNING q.request_id", rs -> rs.getString(1), recoveryMs, size, size, intervalMs, batchId);
    }

    /** Requests in the queue, claimed by a batch or still waiting for one: what the instances have left to carry out. */
    public long waiting() {
        return ledger.query("SELECT count(*) FROM " + table, rs -> rs.getLong(1)).get(0);
    }

    /** The batch was carried out: its deletions leave the queue (those queued again since stay, released). */
    public void done(String batchId) {
        ledger.update("DELETE FROM " + table + " WHERE batch_id = ?", batchId);
    }
}
