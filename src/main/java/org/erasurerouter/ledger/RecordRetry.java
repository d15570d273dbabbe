package org.erasurerouter.ledger;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.observe.ErasureMetrics;

/**
 * Called by the store dead-letter channels before each redelivery: the ledger shows the store as FAILED, retrying,
 * for the exchange's request or for every request of its SQL batch, and the failed attempt is counted.
 */
public class RecordRetry implements Processor {

    private final ErasureLedger ledger;
    private final ErasureMetrics metrics;

    public RecordRetry(ErasureLedger ledger, ErasureMetrics metrics) {
        this.ledger = ledger;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        Throwable cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String store = exchange.getProperty("erasureStore", String.class);
        metrics.failedAttempt(store);
        @SuppressWarnings("unchecked")
        List<ErasureRequest> batch = exchange.getProperty("erasureBatch", List.class);
        for (ErasureRequest request : batch != null ? batch : List.of(exchange.getProperty("erasureRequest", ErasureRequest.class))) {
            ledger.retrying(request, store, cause);
        }
    }
}
