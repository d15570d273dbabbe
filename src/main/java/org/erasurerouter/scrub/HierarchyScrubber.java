package org.erasurerouter.scrub;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the request's entries in content hierarchies read from Cassandra, at any depth of their children: in the
 * user's own collections and wherever their assets are children of someone else's. Rows are read and written by the
 * camel-cql endpoints of the route; this bean only works on the JSON.
 */
public class HierarchyScrubber {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int readSize;

    /**
     * @param readSize identifiers read by one query (see {@link #lookups})
     * @throws IllegalArgumentException when it is not positive
     */
    public HierarchyScrubber(int readSize) {
        if (readSize < 1) {
            throw new IllegalArgumentException("the hierarchy read size must be at least 1, not " + readSize);
        }
        this.readSize = readSize;
    }

    /**
     * The camel-cql parameters of the queries that read these identifiers' rows: at most the read size each, the
     * identifiers bound as one list for {@code IN ?}. Cassandra reads the partitions of one query one after another,
     * so many identifiers are read faster as several small queries side by side than as one large one.
     */
    public List<List<Object>> lookups(List<String> identifiers) {
        List<List<Object>> lookups = new ArrayList<>();
        for (int from = 0; from < identifiers.size(); from += readSize) {
            lookups.add(List.of(List.copyOf(identifiers.subList(from, Math.min(identifiers.size(), from + readSize)))));
        }
        return lookups;
    }

    /** The rows the queries of {@link #lookups} answered, as one list (each query's answer is a list of rows). */
    public List<Row> rows(List<?> answers) {
        List<Row> rows = new ArrayList<>();
        for (Object answer : answers) {
            if (answer instanceof List<?> some) {
                some.forEach(row -> rows.add((Row) row));
            }
        }
        return rows;
    }

    /**
     * For each row ({@code identifier, hierarchy, written}: its write time) that held the request's data, the parameters
     * of its update ({@code hierarchy, identifier, write time read}); rows without any are left out, so they are never
     * written. {@link org.erasurerouter.ledger.HierarchyLocks#fence} turns the time read into the time to write at.
     */
    public List<List<Object>> updates(List<Row> rows, AssetRewrite rewrite, String skipStatuses) {
        Set<String> skip = AssetRewrite.statuses(skipStatuses);
        List<List<Object>> updates = new ArrayList<>();
        for (Row row : rows) {
            JsonNode tree = tree(row);
            String identifier = row.getString("identifier");
            if (tree != null && rewrite.rewriteTree(identifier, tree, skip) > 0) {
                updates.add(List.of(tree.toString(), identifier, row.getLong("written")));
            }
        }
        return updates;
    }

    /**
     * The {@code earlier} updates with those of the identifiers {@code readAgain} replaced by {@code reread}, the updates
     * of their rows as read again: an identifier read again that no longer holds the request's data is not written at
     * all, never written as it was first read.
     */
    public List<List<Object>> replacing(List<List<Object>> earlier, List<String> readAgain, List<List<Object>> reread) {
        Set<String> replaced = Set.copyOf(readAgain);
        List<List<Object>> updates = new ArrayList<>(reread);
        earlier.stream().filter(update -> !replaced.contains((String) update.get(1))).forEach(updates::add);
        return updates;
    }

    /** The identifiers of {@code updates}: the rows to re-read once written. */
    public List<String> rewritten(List<List<Object>> updates) {
        return updates.stream().map(update -> (String) update.get(1)).toList();
    }

    /**
     * The rows re-read after the updates: answers {@code touched} when none would change again.
     *
     * @throws CopiesRemainException when some hierarchy still holds the user's data
     */
    public int verify(List<Row> rows, AssetRewrite rewrite, String skipStatuses, int touched) {
        return CopiesRemainException.unlessAny("cassandra", residuals(rows, rewrite, skipStatuses), touched);
    }

    /** How many of the rows' hierarchies still hold the request's data (what reconciliation counts). */
    public int residuals(List<Row> rows, AssetRewrite rewrite, String skipStatuses) {
        return updates(rows, rewrite, skipStatuses).size();
    }

    /** The hierarchy of a row, or null when it has none or it is not JSON (nothing a store can rewrite). */
    private static JsonNode tree(Row row) {
        String hierarchy = row.getString("hierarchy");
        if (hierarchy == null || hierarchy.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(hierarchy);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
