package org.erasurerouter.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers request ids into a batch (of the jdbc store, or of deletions for the content stores). The batch is only ids, an {@link ArrayList} of strings, so the
 * JDBC aggregation repository can keep it across a crash (it persists the body, and only {@code java.*} types pass
 * its deserialisation filter); names never enter it. A request queued twice (a redelivery) is kept once.
 */
public class RequestBatch implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange batch, Exchange request) {
        String requestId = request.getMessage().getBody(String.class);
        if (batch == null) {
            request.getMessage().setBody(new ArrayList<>(List.of(requestId)));
            // the first request's headers would otherwise travel with the whole batch
            request.getMessage().removeHeaders("*");
            return request;
        }
        @SuppressWarnings("unchecked")
        List<String> ids = batch.getMessage().getBody(List.class);
        if (!ids.contains(requestId)) {
            ids.add(requestId);
        }
        return batch;
    }
}
