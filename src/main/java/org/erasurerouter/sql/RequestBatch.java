package org.erasurerouter.sql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers request ids into a batch of the jdbc store. The batch is only ids, an {@link ArrayList} of strings, so the JDBC
 * aggregation repository can keep it across a crash (it persists the body, and only {@code java.*} types pass
 * its deserialisation filter); names never enter it. A request queued twice (a redelivery) is kept once. A body may be
 * one request id or a list of them (a content batch's requests, queued at once).
 */
public class RequestBatch implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange batch, Exchange request) {
        Object body = request.getMessage().getBody();
        List<String> requestIds = body instanceof Collection<?> several
                ? several.stream().map(String::valueOf).toList() : List.of(String.valueOf(body));
        if (batch == null) {
            request.getMessage().setBody(new ArrayList<>(new LinkedHashSet<>(requestIds)));
            // the first request's headers would otherwise travel with the whole batch
            request.getMessage().removeHeaders("*");
            return request;
        }
        @SuppressWarnings("unchecked")
        List<String> ids = batch.getMessage().getBody(List.class);
        for (String requestId : requestIds) {
            if (!ids.contains(requestId)) {
                ids.add(requestId);
            }
        }
        return batch;
    }
}
