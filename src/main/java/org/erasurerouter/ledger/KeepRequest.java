package org.erasurerouter.ledger;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Aggregation of the fan-out to the stores: keeps the request's own exchange. Each store reports to the ledger, not
 * to the request, and a store's parked (handled) failure must not end the request's route before it is finished. A
 * store whose parking failed too still has its exception, which fails the request, so it is retried rather than closed
 * with that store's work neither done nor parked.
 */
public class KeepRequest implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        return oldExchange != null ? oldExchange : newExchange;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        if (newExchange != null && newExchange.getException() != null && inputExchange.getException() == null) {
            inputExchange.setException(newExchange.getException());
        }
        return inputExchange;
    }
}
