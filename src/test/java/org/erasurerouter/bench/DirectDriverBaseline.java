package org.erasurerouter.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.erasurerouter.SunbirdContent.Owner;
import org.erasurerouter.ledger.ErasureLedger;
import org.erasurerouter.ledger.HierarchyLocks;
import org.erasurerouter.scrub.HierarchyScrubber;
import org.erasurerouter.scrub.FieldRewriter;
import org.erasurerouter.servers.RealServers;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import redis.clients.jedis.Jedis;

/**
 * What a hand-written script would do, as fast as it can: the same rewrites (Sunbird's field rules, through the same
 * FieldRewriter) of the same records, with each store's bulk API and no Camel, no Kafka, no ledger and no re-read.
 * Users go {@value #CHUNK} at a time: one graph read and one graph write, one hierarchy read and asynchronous writes,
 * one search and one bulk request, one cache pipeline and one SQL statement per chunk.
 * <p>
 * With {@code sameGuarantees}, the script also looks where the runtime looks and writes as safely as it does, still
 * without Camel, Kafka, ledger records or re-read: the graph page is read under each node's write lock, the
 * collections and units containing the assets are found in the graph, every identifier that may hold a hierarchy or a
 * cache entry (assets, containers, their drafts) is read or evicted, the hierarchies holding a name are locked, read
 * again if a pass was fenced for them since and written at a fenced time (the runtime's {@link HierarchyLocks}, in the
 * same PostgreSQL), documents are
 * searched by both search keys and by identifier and updated only at the version found. What is left between the two
 * is what the runtime adds: events, ledger, durable queues and proof.
 */
final class DirectDriverBaseline implements AutoCloseable {
    static final int CHUNK = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RealServers servers;
    private final boolean sameGuarantees;
    private final FieldRewriter rewriter = FieldRewriter.fromSettings(
            Map.of("createdBy", "creator, originData.creator.name", "lastPublishedBy", "publisher"), "Deleted User", null);
    private final Driver neo4j;
    private final CqlSession cql;
    private final HttpClient http = HttpClient.newHttpClient();
    private final HikariDataSource ledger;
    private final HierarchyLocks locks;
    /** The runtime's bookkeeping of hierarchy updates (which identifiers, which replaced when read again). */
    private final HierarchyScrubber hierarchies = new HierarchyScrubber(CHUNK);

    DirectDriverBaseline(RealServers servers, boolean sameGuarantees) {
        this.servers = servers;
        this.sameGuarantees = sameGuarantees;
        this.neo4j = GraphDatabase.driver(servers.neo4jBoltUrl(), AuthTokens.none());
        // with the same guarantees, at the runtime's consistency level; the plain script keeps the driver's default
        this.cql = CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", servers.cassandraPort()))
                .withLocalDatacenter("datacenter1")
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, sameGuarantees ? "QUORUM" : "LOCAL_ONE").build())
                .build();
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(servers.jdbcUrl());
        pool.setUsername("postgres");
        pool.setPassword("postgres");
        pool.setMaximumPoolSize(1);
        this.ledger = new HikariDataSource(pool);
        this.locks = new HierarchyLocks(ledger);
        // the write times' table, as the runtime makes it when it starts (the baselines may run first)
        new ErasureLedger(ledger).createSchema();
    }

    /** Erases the owners' names everywhere; answers the records rewritten or removed. */
    long erase(List<Owner> owners, String sqlTable) throws Exception {
        PreparedStatement read = cql.prepare("SELECT identifier, hierarchy, WRITETIME(hierarchy) AS written"
                + " FROM hierarchy_store.content_hierarchy WHERE identifier IN ?");
        PreparedStatement write = cql.prepare(sameGuarantees
                ? "UPDATE hierarchy_store.content_hierarchy USING TIMESTAMP ? SET hierarchy = ? WHERE identifier = ?"
                : "UPDATE hierarchy_store.content_hierarchy SET hierarchy = ? WHERE identifier = ?");
        String lock = sameGuarantees ? "SET n.erasureRouterLock = true REMOVE n.erasureRouterLock " : "";
        long records = 0;
        try (Connection sql = DriverManager.getConnection(servers.jdbcUrl(), "postgres", "postgres");
             Jedis redis = new Jedis("127.0.0.1", servers.redisPort());
             var graph = neo4j.session();
             var mask = sql.prepareStatement("UPDATE " + sqlTable + " SET name = 'Deleted User', email = NULL WHERE user_id = ANY (?)")) {
            for (int from = 0; from < owners.size(); from += CHUNK) {
                List<Owner> chunk = owners.subList(from, Math.min(owners.size(), from + CHUNK));
                Map<String, Owner> byUser = new LinkedHashMap<>();
                chunk.forEach(o -> byUser.put(o.userId(), o));
                List<String> users = List.copyOf(byUser.keySet());

                // graph: every node the users created or published, rewritten in one write
                List<String> collections = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                records += graph.executeWrite(tx -> {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (var record : tx.run("MATCH (n:domain) WHERE n.createdBy IN $users OR n.lastPublishedBy IN $users "
                            + lock + "RETURN n.IL_UNIQUE_ID AS id, properties(n) AS p", Map.of("users", users)).list()) {
                        Map<String, Object> properties = record.get("p").asMap();
                        Owner owner = byUser.getOrDefault(String.valueOf(properties.get("createdBy")), byUser.get(String.valueOf(properties.get("lastPublishedBy"))));
                        Map<String, Object> changes = rewriter.changes(properties, owner.userId(), owner.userName());
                        String id = record.get("id").asString();
                        if (!changes.isEmpty()) {
                            rows.add(Map.of("id", id, "changes", changes));
                        }
                        String type = String.valueOf(properties.get("IL_FUNC_OBJECT_TYPE"));
                        if (type.startsWith("Collection") || type.startsWith("QuestionSet")) {
                            collections.add(id);
                        }
                        ids.add(id);
                    }
                    tx.run("UNWIND $rows AS r MATCH (n:domain {IL_UNIQUE_ID: r.id}) SET n += r.changes", Map.of("rows", rows)).consume();
                    return rows.size();
                });
                List<String> keys = sameGuarantees ? withContainersAndDrafts(graph, ids) : ids;

                // hierarchies of the users' collections (with the same guarantees: of every identifier that may hold
                // one, each rewritten under its lock, read again if rewritten since and written at its fenced time, as the
                // runtime does)
                List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>();
                if (sameGuarantees) {
                    List<List<Object>> found = updates(cql.execute(read.bind(keys)), byUser);
                    HierarchyLocks.Held held = locks.lock(hierarchies.rewritten(found));
                    try {
                        List<String> readAgain = locks.rewrittenSinceRead(held, found);
                        List<List<Object>> updates = readAgain.isEmpty() ? found
                                : hierarchies.replacing(found, readAgain, updates(cql.execute(read.bind(readAgain)), byUser));
                        for (List<Object> update : locks.fence(held, updates)) {
                            writes.add(cql.executeAsync(write.bind(update.toArray())));
                        }
                        writes.forEach(w -> w.toCompletableFuture().join());
                        locks.release(held);
                    } finally {
                        locks.close(held);
                    }
                } else {
                    for (Row row : cql.execute(read.bind(collections))) {
                        String tree = rewritten(row, byUser);
                        if (tree != null) {
                            writes.add(cql.executeAsync(write.bind(tree, row.getString("identifier"))));
                        }
                    }
                    writes.forEach(w -> w.toCompletableFuture().join());
                }
                records += writes.size();

                records += rewriteDocuments(users, ids, byUser);

                // cache: every key of the assets, in one pipeline
                var pipeline = redis.pipelined();
                List<String> cached = new ArrayList<>(keys);
                keys.forEach(key -> cached.add("hierarchy_" + key));
                var deleted = cached.stream().map(pipeline::del).toList();
                pipeline.sync();
                records += deleted.stream().mapToLong(r -> r.get()).sum();

                // the SQL table, one statement
                mask.setArray(1, sql.createArrayOf("text", users.toArray()));
                records += mask.executeUpdate();
            }
        }
        return records;
    }

    /** The rows holding a name, each as its update: {@code [hierarchy rewritten, identifier, write time read]}. */
    private List<List<Object>> updates(Iterable<Row> rows, Map<String, Owner> byUser) throws Exception {
        List<List<Object>> updates = new ArrayList<>();
        for (Row row : rows) {
            String tree = rewritten(row, byUser);
            if (tree != null) {
                updates.add(List.of(tree, row.getString("identifier"), row.getLong("written")));
            }
        }
        return updates;
    }

    /** The row's hierarchy with its owner's name rewritten, or null when it holds none of the chunk's owners' names. */
    private String rewritten(Row row, Map<String, Owner> byUser) throws Exception {
        JsonNode tree = JSON.readTree(row.getString("hierarchy"));
        Owner o = byUser.get(tree.path("createdBy").asText());
        return o != null && rewriter.rewriteTree(tree, o.userId(), o.userName()) > 0 ? JSON.writeValueAsString(tree) : null;
    }

    /**
     * The assets with the collections and units that contain them at any depth, each with its draft: where a hierarchy
     * or a cache entry may hold a copy (the runtime's {@code GraphAssets.withContainers}).
     */
    private static List<String> withContainersAndDrafts(org.neo4j.driver.Session graph, List<String> ids) {
        Set<String> all = new LinkedHashSet<>();
        List<String> containers = graph.executeRead(tx -> tx.run("""
                MATCH (child:domain) WHERE child.IL_UNIQUE_ID IN $ids
                MATCH (n:domain)-[:hasSequenceMember*1..]->(child) RETURN DISTINCT n.IL_UNIQUE_ID AS id""",
                Map.of("ids", ids)).list(r -> r.get("id").asString()));
        for (List<String> found : List.of(ids, containers)) {
            for (String id : found) {
                all.add(id);
                all.add(id.endsWith(".img") ? id : id + ".img");
            }
        }
        return List.copyOf(all);
    }

    /**
     * One search and one bulk update. With the same guarantees, the search looks by both search keys (as phrases,
     * whatever the field's mapping) and by the graph's identifiers, and each update applies only at the version found.
     */
    private long rewriteDocuments(List<String> users, List<String> ids, Map<String, Owner> byUser) throws Exception {
        Map<String, Object> search;
        if (sameGuarantees) {
            List<Object> should = new ArrayList<>();
            for (String key : List.of("createdBy", "lastPublishedBy")) {
                users.forEach(user -> should.add(Map.of("match_phrase", Map.of(key, user))));
            }
            should.add(Map.of("ids", Map.of("values", ids)));
            search = Map.of("size", 10_000, "seq_no_primary_term", true, "query", Map.of("bool", Map.of("should", should)));
        } else {
            search = Map.of("size", 10_000, "query", Map.of("bool", Map.of("should", List.of(
                    Map.of("terms", Map.of("createdBy.keyword", users)), Map.of("terms", Map.of("createdBy", users))))));
        }
        JsonNode hits = JSON.readTree(elasticsearch("POST", "/compositesearch/_search", JSON.writeValueAsString(search))).path("hits").path("hits");
        StringBuilder bulk = new StringBuilder();
        long records = 0;
        for (JsonNode hit : hits) {
            @SuppressWarnings("unchecked")
            Map<String, Object> source = JSON.convertValue(hit.get("_source"), Map.class);
            Owner o = byUser.getOrDefault(String.valueOf(source.get("createdBy")), byUser.get(String.valueOf(source.get("lastPublishedBy"))));
            Map<String, Object> changes = o == null ? Map.of() : rewriter.changes(source, o.userId(), o.userName());
            if (!changes.isEmpty()) {
                Map<String, Object> action = new LinkedHashMap<>(Map.of("_id", hit.get("_id").asText()));
                if (sameGuarantees) {
                    action.put("if_seq_no", hit.get("_seq_no").asLong());
                    action.put("if_primary_term", hit.get("_primary_term").asLong());
                }
                bulk.append(JSON.writeValueAsString(Map.of("update", action))).append('\n')
                        .append(JSON.writeValueAsString(Map.of("doc", changes))).append('\n');
                records++;
            }
        }
        if (!bulk.isEmpty()) {
            String answer = elasticsearch("POST", "/compositesearch/_bulk", bulk.toString());
            if (sameGuarantees && JSON.readTree(answer).path("errors").asBoolean()) {
                throw new IllegalStateException("the index refused some of the baseline's updates");
            }
        }
        return records;
    }

    private String elasticsearch(String method, String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        cql.close();
        neo4j.close();
        ledger.close();
    }
}
