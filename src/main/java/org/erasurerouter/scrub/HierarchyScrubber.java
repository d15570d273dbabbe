package org.erasurerouter.scrub;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.erasurerouter.intake.ErasureRequest;

/** Rewrites the user's entries in content hierarchies read from Cassandra, at any depth of their children. */
public class HierarchyScrubber {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FieldRewriter rewriter;

    public HierarchyScrubber(FieldRewriter rewriter) {
        this.rewriter = rewriter;
    }

    /** The camel-cql parameters of the lookup: the identifiers bound as one list for {@code IN ?}. */
    public List<Object> lookup(List<String> identifiers) {
        return List.of(List.copyOf(identifiers));
    }

    /**
     * For each row ({@code identifier, hierarchy}) that held the user's data, the parameters of its update
     * ({@code hierarchy, identifier}); rows without any are left out.
     */
    public List<List<Object>> updates(List<Row> rows, ErasureRequest request) {
        List<List<Object>> updates = new ArrayList<>();
        for (Row row : rows) {
            String hierarchy = row.getString("hierarchy");
            if (hierarchy == null || hierarchy.isBlank()) {
                continue;
            }
            JsonNode tree;
            try {
                tree = JSON.readTree(hierarchy);
            } catch (JsonProcessingException e) {
                // not JSON: nothing this store can rewrite; reconciliation reports what remains
                continue;
            }
            if (rewriter.rewriteTree(tree, request.userId(), request.userName()) > 0) {
                updates.add(List.of(tree.toString(), row.getString("identifier")));
            }
        }
        return updates;
    }
}
