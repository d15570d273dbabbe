package org.erasurerouter.scrub;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.SessionConfig;

/**
 * The user's assets in the Neo4j content graph: found a page at a time, rewritten, and re-read to verify. Uses the
 * shared driver rather than camel-neo4j because the component sends Cypher without parameters, and a query built
 * from a user id would be an injection hole. Only names from configuration (label, properties, relationship),
 * checked to be plain identifiers, are written into the Cypher; every value is a parameter.
 */
public class GraphAssets {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** The property set and removed at once to take a node's write lock (see {@link #rewrite}). */
    private static final String LOCK = "erasureRouterLock";
    /** Where {@link #cachedUnder} puts assets no member is named by. */
    static final String UNATTRIBUTED = "";

    private final Driver driver;
    private final SessionConfig session;
    private final int pageSize;
    private final String draftSuffix;
    private final String label;
    private final String nodes;
    private final String id;
    private final String childRelationship;

    /**
     * @param label             the label of content nodes, e.g. {@code domain}
     * @param identifier        the property holding an asset's identifier, e.g. {@code IL_UNIQUE_ID}
     * @param childRelationship the relationship from a collection or unit to its children, e.g. {@code hasSequenceMember}
     * @param draftSuffix       what a draft copy's identifier adds to its asset's, e.g. {@code .img}
     * @throws IllegalArgumentException when a name is not a plain identifier or the page size is not positive
     */
    public GraphAssets(Driver driver, String database, int pageSize, String label, String identifier,
                       String childRelationship, String draftSuffix) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("the page size must be at least 1, not " + pageSize);
        }
        this.driver = driver;
        this.session = SessionConfig.forDatabase(database);
        this.pageSize = pageSize;
        this.draftSuffix = draftSuffix;
        this.label = quoted(label, "label");
        this.nodes = "(n:" + this.label + ")";
        this.id = quoted(identifier, "identifier property");
        this.childRelationship = quoted(childRelationship, "child relationship");
    }

    /**
     * The identifiers of the assets the request concerns, drafts included and statuses in {@code skipStatuses} left
     * out, in pages of at most the page size, each page read only when the previous one is used up (keyset paging on
     * the identifier), so any number of assets fits in bounded memory.
     */
    public Iterator<List<String>> pages(AssetRewrite rewrite, String skipStatuses) {
        String owned = rewrite.searchKeys().stream().map(key -> "n." + quoted(key, "search key") + " IN $owners")
                .collect(Collectors.joining(" OR ", "(", ")"));
        String cypher = "MATCH " + nodes + " WHERE " + owned + " AND (size($ids) = 0 OR n." + id + " IN $ids)"
                + " AND NOT coalesce(n.status, '') IN $skip AND n." + id + " > $after"
                + " RETURN n." + id + " AS id ORDER BY id LIMIT $size";
        Map<String, Object> params = Map.of("owners", rewrite.owners(), "ids", List.copyOf(rewrite.identifiers()),
                "skip", List.copyOf(AssetRewrite.statuses(skipStatuses)), "size", pageSize);
        return new Pages<>(after -> {
            Map<String, Object> page = new java.util.HashMap<>(params);
            page.put("after", after);
            java.util.function.Supplier<List<String>> ids = () -> List.copyOf(read(cypher, page, r -> r.get("id").asString()));
            // every store of the request (or of the batch) asks for the same pages: each is read once
            return rewrite.remembered(List.of("assets", skipStatuses, after), ids);
        }, id -> id, pageSize);
    }

    /**
     * The assets with the collections and units that contain them at any depth (walking the child relationship
     * upwards; containers with a status in {@code skipStatuses} left out), each with its draft: every identifier
     * under which a hierarchy or a cache entry may hold a copy of these assets.
     */
    public List<String> withContainers(List<String> identifiers, String skipStatuses) {
        return withContainers(identifiers, skipStatuses, null);
    }

    /** As {@link #withContainers(List, String)}, the graph asked once by the stores of {@code rewrite}'s request. */
    public List<String> withContainers(List<String> identifiers, String skipStatuses, AssetRewrite rewrite) {
        Set<String> all = new LinkedHashSet<>();
        for (String each : identifiers) {
            addWithDraft(all, each);
        }
        for (String[] pair : containerPairs(identifiers, skipStatuses, rewrite)) {
            addWithDraft(all, pair[1]);
        }
        return List.copyOf(all);
    }

    /**
     * For a batch: per member (request id), the identifiers under which its assets of this page may be cached (each
     * asset it owns, the collections and units containing it at any depth, and their drafts), so a batch's eviction
     * is counted per request. Two queries for the page whatever the number of members: the assets' search keys, and
     * the (asset, container) pairs.
     */
    public Map<String, Set<String>> cachedUnder(List<String> identifiers, String skipStatuses, AssetRewrite batch) {
        Map<String, Set<String>> byMember = new java.util.LinkedHashMap<>();
        Map<String, List<String>> containers = new java.util.HashMap<>();
        for (String[] pair : containerPairs(identifiers, skipStatuses, batch)) {
            containers.computeIfAbsent(pair[0], c -> new ArrayList<>()).add(pair[1]);
        }
        for (Record asset : read(readPage(), Map.of("ids", identifiers, "fields", List.copyOf(batch.fieldsRead())), r -> r)) {
            String identifier = asset.get("id").asString(null);
            if (identifier == null) {
                continue;
            }
            Set<String> members = batch.membersNaming(props(asset));
            // an asset no member's search keys name any more (changed since the page was read) is still evicted
            for (String member : members.isEmpty() ? Set.of(UNATTRIBUTED) : members) {
                Set<String> cached = byMember.computeIfAbsent(member, m -> new LinkedHashSet<>());
                addWithDraft(cached, identifier);
                containers.getOrDefault(identifier, List.of()).forEach(container -> addWithDraft(cached, container));
            }
        }
        return byMember;
    }

    /**
     * Each (asset, container) pair of the assets and the collections and units containing them at any depth, bar
     * statuses in {@code skipStatuses}; remembered by {@code rewrite} (if any), so the hierarchy store and the cache
     * walk the graph upwards once for a page.
     */
    private List<String[]> containerPairs(List<String> identifiers, String skipStatuses, AssetRewrite rewrite) {
        String cypher = "MATCH (child:" + label + ") WHERE child." + id + " IN $ids MATCH " + nodes + "-[" + childRelationship
                + "*1..]->(child) WHERE NOT coalesce(n.status, '') IN $skip AND n." + id + " IS NOT NULL"
                + " RETURN DISTINCT child." + id + " AS child, n." + id + " AS container";
        java.util.function.Supplier<List<String[]>> ask = () -> read(cypher,
                Map.of("ids", identifiers, "skip", List.copyOf(AssetRewrite.statuses(skipStatuses))),
                r -> new String[] {r.get("child").asString(), r.get("container").asString()});
        return rewrite == null ? ask.get() : rewrite.remembered(List.of("containers", skipStatuses, identifiers), ask);
    }

    /**
     * Rewrites one page of assets; answers how many nodes changed. The page is read under a write lock on each of its
     * nodes (set and removed again in the read, so no node keeps it): a concurrent rewrite of the same node
     * (another batch, a transfer, another instance) waits for this one, and then reads what it wrote, so neither
     * writes back a value computed from an older node.
     */
    public int rewrite(List<String> identifiers, AssetRewrite rewrite) {
        try (var s = driver.session(session)) {
            return s.executeWrite(tx -> {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Record r : tx.run(readPage("SET n." + LOCK + " = true REMOVE n." + LOCK + " "),
                        Map.of("ids", identifiers, "fields", List.copyOf(rewrite.fieldsRead()))).list()) {
                    Map<String, Object> changes = changes(r, rewrite);
                    if (!changes.isEmpty()) {
                        rows.add(Map.of("node", r.get("node").asString(), "changes", changes));
                    }
                }
                tx.run("UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.node SET n += row.changes",
                        Map.of("rows", rows)).consume();
                return rows.size();
            });
        }
    }

    /**
     * Re-reads one page after its rewrite and answers {@code touched} when no node would change again.
     *
     * @throws CopiesRemainException when some still hold the user's data
     */
    public int verify(List<String> identifiers, AssetRewrite rewrite, int touched) {
        return CopiesRemainException.unlessAny("neo4j", residuals(identifiers, rewrite), touched);
    }

    /** How many of these nodes still hold the request's data. */
    public int residuals(List<String> identifiers, AssetRewrite rewrite) {
        return read(readPage(), Map.of("ids", identifiers, "fields", List.copyOf(rewrite.fieldsRead())),
                r -> changes(r, rewrite).isEmpty() ? 0 : 1)
                .stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * The assets {@code userId} created ({@code ownerKey} names the user), drafts left out, a page at a time in
     * identifier order, each as {@code identifier, name, status, objectType}: what the assets report lists for
     * ownership decisions.
     */
    public Iterator<List<Map<String, Object>>> created(String userId, String ownerKey, String objectTypeProperty) {
        String cypher = "MATCH " + nodes + " WHERE n." + quoted(ownerKey, "owner key") + " = $owner AND n." + id
                + " > $after AND ($draft = '' OR NOT n." + id + " ENDS WITH $draft) RETURN n." + id + " AS identifier,"
                + " n.name AS name, n.status AS status, n." + quoted(objectTypeProperty, "object type property")
                + " AS objectType ORDER BY identifier LIMIT $size";
        return new Pages<>(after -> read(cypher, Map.of("owner", userId, "after", after, "draft", draftSuffix,
                "size", pageSize), Record::asMap), row -> (String) row.get("identifier"), pageSize);
    }

    private String readPage() {
        return readPage("");
    }

    /**
     * A page of nodes by identifier, with {@code clauses} run on each before it is returned, each with only the
     * properties {@code $fields} it has (what the rules read: search keys, targets, status), as {@code [name, value]}
     * pairs: a content node carries dozens of other properties that no rule reads.
     */
    private String readPage(String clauses) {
        return "MATCH " + nodes + " WHERE n." + id + " IN $ids " + clauses + "RETURN elementId(n) AS node, n." + id
                + " AS id, [k IN $fields WHERE n[k] IS NOT NULL | [k, n[k]]] AS props";
    }

    /** The properties a {@link #readPage} row carries, by name. */
    private static Map<String, Object> props(Record r) {
        Map<String, Object> props = new java.util.HashMap<>();
        r.get("props").asList(pair -> pair).forEach(pair -> props.put(pair.get(0).asString(), pair.get(1).asObject()));
        return props;
    }

    /** Status rules were applied when the page was read; here only the owner and a transfer's assets count. */
    private static Map<String, Object> changes(Record r, AssetRewrite rewrite) {
        return rewrite.changes(r.get("id").asString(null), props(r), Set.of());
    }

    private <T> List<T> read(String cypher, Map<String, Object> params, java.util.function.Function<Record, T> row) {
        try (var s = driver.session(session)) {
            return s.executeRead(tx -> tx.run(cypher, params).list(row::apply));
        }
    }

    private void addWithDraft(Set<String> all, String identifier) {
        all.add(identifier);
        if (!identifier.endsWith(draftSuffix)) {
            all.add(identifier + draftSuffix);
        }
    }

    private static String quoted(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the graph " + what + " '" + name + "' is not a plain name"
                    + " (letters, digits and underscores, not starting with a digit)");
        }
        return "`" + name + "`";
    }
}
