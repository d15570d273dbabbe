package org.erasurerouter.scrub;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Sums the integer bodies of split parts, so a store route answers how many records it touched in all: 0 when there
 * was nothing to split (a user with no assets).
 */
public class Tally implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange sum, Exchange part) {
        int value = part.getMessage().getBody(Integer.class) == null ? 0 : part.getMessage().getBody(Integer.class);
        if (sum == null) {
            part.getMessage().setBody(value);
            return part;
        }
        sum.getMessage().setBody(sum.getMessage().getBody(Integer.class) + value);
        return sum;
    }

    @Override
    public void onCompletion(Exchange sum, Exchange input) {
        if (sum == null && input != null) {
            input.getMessage().setBody(0);
        }
    }

    /** The total of two tallies. */
    public static int sum(int a, int b) {
        return a + b;
    }
}
