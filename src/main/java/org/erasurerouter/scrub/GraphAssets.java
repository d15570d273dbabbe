package org.erasurerouter.scrub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.erasurerouter.intake.ErasureRequest;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.SessionConfig;

/**
 * The user's assets in the Neo4j content graph. Uses the shared driver rather than camel-neo4j because the component
 * sends Cypher without parameters, and a query built from a user id would be an injection hole.
 */
public class GraphAssets {

    private static final String OWNED = "MATCH (n:domain) WHERE any(key IN $keys WHERE n[key] = $userId) ";

    private final Driver driver;
    private final SessionConfig session;
    private final FieldRewriter rewriter;

    public GraphAssets(Driver driver, String database, FieldRewriter rewriter) {
        this.driver = driver;
        this.session = SessionConfig.forDatabase(database);
        this.rewriter = rewriter;
    }

    /** Identifiers of every node (drafts included) whose search keys name the user. */
    public List<String> discover(String userId) {
        try (var s = driver.session(session)) {
            return s.executeRead(tx -> tx.run(OWNED + "RETURN DISTINCT n.IL_UNIQUE_ID AS id",
                    Map.of("keys", List.copyOf(rewriter.searchKeys()), "userId", userId))
                    .list(r -> r.get("id").asString(null)))
                    .stream().filter(id -> id != null).toList();
        }
    }

    /** The Redis keys that may cache the user's assets: metadata ({@code <id>}) and hierarchy ({@code hierarchy_<id>}). */
    public List<String> cacheKeys(String userId) {
        List<String> keys = new ArrayList<>();
        for (String id : discover(userId)) {
            keys.add(id);
            keys.add("hierarchy_" + id);
        }
        return keys;
    }

    /** Rewrites the target fields of every node the user owns; answers how many nodes changed. */
    public int scrub(ErasureRequest request) {
        return rewrite(OWNED, Map.of("keys", List.copyOf(rewriter.searchKeys()), "userId", request.userId()), request, null);
    }

    /**
     * Hands the assets of a transfer (all of the previous owner's when none are named, drafts with them) to the new
     * owner, scrubbing the previous owner's name on the way so no copy of it survives the change of {@code createdBy}.
     */
    public int transfer(ErasureRequest request) {
        List<String> ids = new ArrayList<>(request.assetIds());
        request.assetIds().forEach(id -> ids.add(id + ".img"));
        return rewrite("MATCH (n:domain) WHERE n.createdBy = $userId AND (size($ids) = 0 OR n.IL_UNIQUE_ID IN $ids) ",
                Map.of("userId", request.userId(), "ids", ids), request, request.toUserId());
    }

    private int rewrite(String match, Map<String, Object> params, ErasureRequest request, String newOwner) {
        try (var s = driver.session(session)) {
            return s.executeWrite(tx -> {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Record r : tx.run(match + "RETURN elementId(n) AS node, properties(n) AS props", params).list()) {
                    Map<String, Object> changes = new HashMap<>(rewriter.changes(r.get("props").asMap(), request.userId(), request.userName()));
                    if (newOwner != null) {
                        changes.put("createdBy", newOwner);
                    }
                    if (!changes.isEmpty()) {
                        rows.add(Map.of("node", r.get("node").asString(), "changes", changes));
                    }
                }
                tx.run("UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.node SET n += row.changes", Map.of("rows", rows)).consume();
                return rows.size();
            });
        }
    }
}
