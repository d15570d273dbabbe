package org.erasurerouter.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.ledger.BatchQueue;
import org.erasurerouter.ledger.ErasureLedger;

/**
 * The metrics a {@code micrometer:} endpoint cannot record: the end-to-end latency histogram (event time to every
 * store done), the SQL rows a batch erased, failed store attempts seen from Java and the batch queues' depth. They live
 * in the runtime's one Prometheus registry (Camel's {@code metricsRegistry}), which a route reload does not clear.
 */
public class ErasureMetrics implements CamelContextAware {

    private CamelContext context;
    private volatile MeterRegistry registry;

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /** A request reached {@code status}; a DONE one is timed from its event, unless the event carried no time. */
    public void finished(ErasureRequest request, String status) {
        if ("DONE".equals(status) && request.eventTime() > 0) {
            long millis = Math.max(0, System.currentTimeMillis() - request.eventTime());
            latency(request.action()).record(Duration.ofMillis(millis));
        }
    }

    /**
     * Requests closed ({@code close-requests}): each one finished (DONE or PARKED) counted by action and status, tagged
     * as a {@code micrometer:} endpoint would tag it, and a DONE one timed. A request left QUEUED (its SQL work waits
     * for a batch) is not finished yet: it is counted when its SQL batch closes it ({@link #batchFinished}).
     */
    public void closed(Map<ErasureRequest, String> statuses) {
        statuses.forEach((request, status) -> {
            if (!"QUEUED".equals(status)) {
                counter("erasure.requests.finished", "Requests finished, by action and status", "action", request.action(),
                        "status", String.valueOf(status)).increment();
                finished(request, status);
            }
        });
    }

    /**
     * A SQL batch finished: its rows count as the jdbc store's erased assets, and the requests it closed ({@code
     * statuses}, by request id: those whose status it changed) count as finished, as {@link #closed} counts them.
     */
    public void batchFinished(List<ErasureRequest> batch, Map<String, String> statuses, Map<String, Integer> rows) {
        assetsErased("jdbc", rows.values().stream().mapToInt(Integer::intValue).sum());
        Map<ErasureRequest, String> closed = new java.util.LinkedHashMap<>();
        batch.stream().filter(request -> statuses.containsKey(request.requestId()))
                .forEach(request -> closed.put(request, statuses.get(request.requestId())));
        closed(closed);
    }

    public void assetsErased(String store, int assets) {
        counter("erasure.store.assets", "Records rewritten or removed, per store", "store", store).increment(assets);
    }

    /** One attempt at a store's work failed (it is retried, or parked after the last one). */
    public void failedAttempt(String store) {
        counter("erasure.store.failures", "Failed attempts at a store's work, per store", "store", String.valueOf(store)).increment();
    }

    /** A routes file was hot-reloaded ({@code reloaded}) or refused ({@code failed}). */
    public void routesReload(String outcome) {
        counter("erasure.routes.reloads", "Hot reloads of a routes file, by outcome", "outcome", outcome).increment();
    }

    /**
     * The requests in a batch queue ({@code content}, {@code sql} or {@code replay}), read from the ledger database
     * whenever the metrics are scraped: the work the deployment has taken on and not yet carried out. Not a number while
     * the ledger database cannot be reached.
     */
    public void queue(String name, BatchQueue queue) {
        Gauge.builder("erasure.queue.requests", queue, ErasureMetrics::waiting)
                .description("Requests waiting in a batch queue or claimed by a batch not yet done, per queue")
                .tag("camelContext", context.getName()).tag("queue", name).register(registry());
    }

    private static double waiting(BatchQueue queue) {
        try {
            return queue.waiting();
        } catch (ErasureLedger.LedgerException unreachable) {
            return Double.NaN;
        }
    }

    /** Tagged like the micrometer endpoints' meters (with the context's name), so both can add to the same meter. */
    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tag("camelContext", context.getName()).tags(tags)
                .register(registry());
    }

    private Timer latency(String action) {
        return Timer.builder("erasure.request.latency")
                .description("From the event's time to every store done, per action")
                .tag("camelContext", context.getName())
                .tag("action", action)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry());
    }

    private MeterRegistry registry() {
        if (registry == null) {
            registry = MicrometerUtils.getOrCreateMeterRegistry(context.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME);
        }
        return registry;
    }
}
