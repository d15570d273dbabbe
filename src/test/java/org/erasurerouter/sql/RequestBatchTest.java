package org.erasurerouter.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RequestBatchTest {
    private final DefaultCamelContext context = new DefaultCamelContext();

    private Exchange request(String requestId) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(requestId);
        exchange.getMessage().setHeader("erasureUserId", "u-" + requestId);
        return exchange;
    }

    @Test
    void gathersRequestIdsOnceEachInAPlainListWithoutTheFirstRequestsHeaders() {
        RequestBatch strategy = new RequestBatch();
        Exchange batch = strategy.aggregate(null, request("r1"));
        assertSame(batch, strategy.aggregate(batch, request("r2")), "the batch is kept and grown");
        strategy.aggregate(batch, request("r1"));   // a redelivered request
        strategy.aggregate(batch, request("r3"));

        assertEquals(List.of("r1", "r2", "r3"), batch.getMessage().getBody());
        assertEquals(ArrayList.class, batch.getMessage().getBody().getClass(), "a java.* type the repository can restore");
        assertTrue(batch.getMessage().getHeaders().isEmpty(), "no request's headers travel with the batch");
    }

    @Test
    void gathersTheRequestsOfAContentBatchQueuedAtOnce() {
        RequestBatch strategy = new RequestBatch();
        Exchange first = new DefaultExchange(context);
        first.getMessage().setBody(List.of("r1", "r2", "r1"));
        Exchange batch = strategy.aggregate(null, first);
        Exchange second = new DefaultExchange(context);
        second.getMessage().setBody(List.of("r2", "r3"));
        strategy.aggregate(batch, second);
        strategy.aggregate(batch, request("r4"));

        assertEquals(List.of("r1", "r2", "r3", "r4"), batch.getMessage().getBody());
        assertEquals(ArrayList.class, batch.getMessage().getBody().getClass());
    }
}
