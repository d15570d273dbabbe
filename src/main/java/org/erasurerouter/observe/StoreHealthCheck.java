package org.erasurerouter.observe;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.erasurerouter.StoreCheck;

/**
 * Readiness of one datastore: its {@code check-<store>} route reaches it through its component. DOWN while the store
 * does not answer (or not within the timeout), UP again by itself once it does; the detail never holds user data.
 */
public class StoreHealthCheck extends AbstractHealthCheck {

    private final String store;
    private final long timeoutMillis;
    private volatile ProducerTemplate template;
    private volatile ExecutorService checks;

    public StoreHealthCheck(String store, long timeoutMillis) {
        super("erasure", "store-" + store);
        this.store = store;
        this.timeoutMillis = timeoutMillis;
    }

    /** A store being down does not make the process dead: restarting the runtime would not bring the store back. */
    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("store", store);
        StoreCheck check;
        try {
            check = CompletableFuture.supplyAsync(() -> template().requestBody("direct:check-" + store, null, StoreCheck.class),
                    checks()).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            builder.down().message(store + " did not answer within " + timeoutMillis + " ms");
            return;
        } catch (Exception e) {
            builder.down().message(store + " check failed: " + e.getClass().getSimpleName());
            return;
        }
        if (check != null && check.reached()) {
            builder.up().message(check.detail());
        } else {
            builder.down().message(store + " unreachable: " + (check == null ? "no answer" : check.detail()));
        }
    }

    /** Threads of their own, so a store that hangs holds up neither the HTTP server nor the other checks. */
    private ExecutorService checks() {
        if (checks == null) {
            checks = getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "store-health-" + store);
        }
        return checks;
    }

    private ProducerTemplate template() {
        if (template == null) {
            template = getCamelContext().createProducerTemplate();
        }
        return template;
    }
}
