package org.erasurerouter.reconcile;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers the residual checks of one user, one per store (each part's body a count of copies left, its
 * {@code erasureStore} property the store), into a map of the stores holding any copy to their counts, in check order.
 */
public class ResidualStores implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange found, Exchange check) {
        Exchange result = found == null ? check : found;
        @SuppressWarnings("unchecked")
        Map<String, Integer> stores = found == null ? new LinkedHashMap<>() : result.getMessage().getBody(Map.class);
        Integer copies = check.getMessage().getBody(Integer.class);
        if (copies != null && copies > 0) {
            stores.put(check.getProperty("erasureStore", String.class), copies);
        }
        result.getMessage().setBody(stores);
        return result;
    }

    @Override
    public void onCompletion(Exchange found, Exchange input) {
        if (found == null && input != null) {
            input.getMessage().setBody(new LinkedHashMap<String, Integer>());
        }
    }
}
