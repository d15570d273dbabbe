package org.erasurerouter.ledger;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.erasurerouter.intake.ErasureRequest;

/** Called by the store dead-letter channel before each redelivery: the ledger shows the store as FAILED, retrying. */
public class RecordRetry implements Processor {

    private final ErasureLedger ledger;

    public RecordRetry(ErasureLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void process(Exchange exchange) {
        ErasureRequest request = exchange.getProperty("erasureRequest", ErasureRequest.class);
        Throwable cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ledger.retrying(request, exchange.getProperty("erasureStore", String.class), cause);
    }
}
