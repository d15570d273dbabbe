package org.erasurerouter.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.impl.DefaultCamelContext;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.ledger.BatchQueue;
import org.erasurerouter.ledger.ErasureLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class ErasureMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final ErasureMetrics metrics = new ErasureMetrics();

    ErasureMetricsTest() {
        context.getCamelContextExtension().setName("erasure-router");
        context.getRegistry().bind("metricsRegistry", registry);
        metrics.setCamelContext(context);
    }

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    static ErasureRequest request(String id, long eventTime) {
        return new ErasureRequest(id, ErasureRequest.DELETE_USER, "u-" + id, "org-1", eventTime, null, null, null, List.of());
    }

    @Test
    void timesADoneRequestFromItsEventTime() {
        metrics.finished(request("r1", System.currentTimeMillis() - 2_000), "DONE");
        var timer = registry.get("erasure.request.latency").tag("action", "delete-user").tag("camelContext", "erasure-router").timer();
        assertEquals(1, timer.count());
        assertTrue(timer.totalTime(TimeUnit.MILLISECONDS) >= 2_000, "at least the two seconds since the event");
    }

    @Test
    void leavesOutRequestsNotDoneAndEventsWithoutATime() {
        metrics.finished(request("r1", System.currentTimeMillis()), "PARKED");
        metrics.finished(request("r2", System.currentTimeMillis()), "QUEUED");
        metrics.finished(request("r3", 0), "DONE");
        assertNull(registry.find("erasure.request.latency").timer());
    }

    @Test
    void countsRequestsClosedTogetherByActionAndStatusAndTimesTheDoneOnes() {
        long now = System.currentTimeMillis();
        metrics.closed(Map.of(request("r1", now), "DONE", request("r2", now), "PARKED", request("r3", now), "DONE"));
        assertEquals(2.0, registry.get("erasure.requests.finished").tag("action", "delete-user").tag("status", "DONE").counter().count());
        assertEquals(1.0, registry.get("erasure.requests.finished").tag("status", "PARKED").counter().count());
        assertEquals(2, registry.get("erasure.request.latency").timer().count());
    }

    @Test
    void countsABatchsRowsAsTheJdbcStoresAssetsAndCountsAndTimesTheRequestsItClosed() {
        long now = System.currentTimeMillis();
        metrics.batchFinished(List.of(request("r1", now), request("r2", now), request("r3", now), request("r4", now)),
                Map.of("r1", "DONE", "r2", "PARKED", "r3", "DONE"), Map.of("r1", 2, "r2", 0, "r3", 3, "r4", 1));
        assertEquals(6.0, registry.get("erasure.store.assets").tag("store", "jdbc").counter().count());
        assertEquals(2.0, registry.get("erasure.requests.finished").tag("status", "DONE").counter().count());
        assertEquals(1.0, registry.get("erasure.requests.finished").tag("status", "PARKED").counter().count());
        assertEquals(2, registry.get("erasure.request.latency").timer().count(), "the two requests the batch finished DONE");
    }

    @Test
    void aRequestLeftQueuedForItsSqlBatchIsCountedOnceWhenThatBatchClosesIt() {
        long now = System.currentTimeMillis();
        ErasureRequest request = request("r1", now);
        metrics.closed(Map.of(request, "QUEUED"));
        assertNull(registry.find("erasure.requests.finished").counter(), "not finished while its SQL work waits");
        metrics.batchFinished(List.of(request), Map.of("r1", "DONE"), Map.of("r1", 1));
        assertEquals(1.0, registry.get("erasure.requests.finished").tag("status", "DONE").counter().count());
        assertEquals(1, registry.get("erasure.request.latency").timer().count());
    }

    @Test
    void countsFailedAttemptsAndReloadsByTheirLabels() {
        metrics.failedAttempt("redis");
        metrics.failedAttempt("redis");
        metrics.routesReload("failed");
        assertEquals(2.0, registry.get("erasure.store.failures").tag("store", "redis").counter().count());
        assertEquals(1.0, registry.get("erasure.routes.reloads").tag("outcome", "failed").counter().count());
    }

    @Test
    void aQueuesDepthIsNotANumberWhileTheLedgerDatabaseCannotBeReached() {
        // port 1 on the loopback: nothing listens, as when the ledger database is restarting
        ErasureLedger ledger = new ErasureLedger(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/ledger"));
        metrics.queue("content", new BatchQueue(ledger, "queue-table", "queue", 100, 1000, 30000));
        assertTrue(Double.isNaN(registry.get("erasure.queue.requests").tag("queue", "content").gauge().value()));
    }
}
