package org.erasurerouter.bench;

import com.datastax.oss.driver.api.core.CqlSession;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.erasurerouter.SunbirdContent.Owner;
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
 */
final class DirectDriverBaseline implements AutoCloseable {
    static final int CHUNK = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RealServers servers;
    private final FieldRewriter rewriter = FieldRewriter.fromSettings(
            Map.of("createdBy", "creator, originData.creator.name", "lastPublishedBy", "publisher"), "Deleted User", null);
    private final Driver neo4j;
    private final CqlSession cql;
    private final HttpClient http = HttpClient.newHttpClient();

    DirectDriverBaseline(RealServers servers) {
        this.servers = servers;
        this.neo4j = GraphDatabase.driver(servers.neo4jBoltUrl(), AuthTokens.none());
        this.cql = CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", servers.cassandraPort()))
                .withLocalDatacenter("datacenter1").build();
    }

    /** Erases the owners' names everywhere; answers the records rewritten or removed. */
    long erase(List<Owner> owners, String sqlTable) throws Exception {
        PreparedStatement read = cql.prepare("SELECT identifier, hierarchy FROM hierarchy_store.content_hierarchy WHERE identifier IN ?");
        PreparedStatement write = cql.prepare("UPDATE hierarchy_store.content_hierarchy SET hierarchy = ? WHERE identifier = ?");
        long records = 0;
        try (Connection sql = DriverManager.getConnection(servers.jdbcUrl(), "postgres", "postgres");
             Jedis redis = new Jedis("127.0.0.1", servers.redisPort());
             var mask = sql.prepareStatement("UPDATE " + sqlTable + " SET name = 'Deleted User', email = NULL WHERE user_id = ANY (?)")) {
            for (int from = 0; from < owners.size(); from += CHUNK) {
                List<Owner> chunk = owners.subList(from, Math.min(owners.size(), from + CHUNK));
                Map<String, Owner> byUser = new LinkedHashMap<>();
                chunk.forEach(o -> byUser.put(o.userId(), o));
                List<String> users = List.copyOf(byUser.keySet());

                // graph: every node the users created or published, rewritten in one write
                List<Map<String, Object>> rows = new ArrayList<>();
                List<String> collections = new ArrayList<>();
                List<String> keys = new ArrayList<>();
                for (var record : neo4j.executableQuery("""
                        MATCH (n:domain) WHERE n.createdBy IN $users OR n.lastPublishedBy IN $users
                        RETURN n.IL_UNIQUE_ID AS id, properties(n) AS p""").withParameters(Map.of("users", users)).execute().records()) {
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
                    keys.add(id);
                    keys.add("hierarchy_" + id);
                }
                neo4j.executableQuery("UNWIND $rows AS r MATCH (n:domain {IL_UNIQUE_ID: r.id}) SET n += r.changes")
                        .withParameters(Map.of("rows", rows)).execute();
                records += rows.size();

                // hierarchies of the users' collections
                List<CompletionStage<?>> writes = new ArrayList<>();
                for (Row row : cql.execute(read.bind(collections))) {
                    JsonNode tree = JSON.readTree(row.getString("hierarchy"));
                    String owner = tree.path("createdBy").asText();
                    Owner o = byUser.get(owner);
                    if (o != null && rewriter.rewriteTree(tree, o.userId(), o.userName()) > 0) {
                        writes.add(cql.executeAsync(write.bind(JSON.writeValueAsString(tree), row.getString("identifier"))));
                    }
                }
                for (CompletionStage<?> w : writes) {
                    w.toCompletableFuture().join();
                }
                records += writes.size();

                // search index: one search, one bulk update
                JsonNode hits = JSON.readTree(elasticsearch("POST", "/compositesearch/_search", JSON.writeValueAsString(Map.of(
                        "size", 10_000, "query", Map.of("bool", Map.of("should", List.of(
                                Map.of("terms", Map.of("createdBy.keyword", users)), Map.of("terms", Map.of("createdBy", users))))))))).path("hits").path("hits");
                StringBuilder bulk = new StringBuilder();
                for (JsonNode hit : hits) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> source = JSON.convertValue(hit.get("_source"), Map.class);
                    Owner o = byUser.get(String.valueOf(source.get("createdBy")));
                    Map<String, Object> changes = o == null ? Map.of() : rewriter.changes(source, o.userId(), o.userName());
                    if (!changes.isEmpty()) {
                        bulk.append(JSON.writeValueAsString(Map.of("update", Map.of("_id", hit.get("_id").asText())))).append('\n')
                                .append(JSON.writeValueAsString(Map.of("doc", changes))).append('\n');
                        records++;
                    }
                }
                if (!bulk.isEmpty()) {
                    elasticsearch("POST", "/compositesearch/_bulk", bulk.toString());
                }

                // cache: every key of the assets, in one pipeline
                var pipeline = redis.pipelined();
                var deleted = keys.stream().map(pipeline::del).toList();
                pipeline.sync();
                records += deleted.stream().mapToLong(r -> r.get()).sum();

                // the SQL table, one statement
                mask.setArray(1, sql.createArrayOf("text", users.toArray()));
                records += mask.executeUpdate();
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
    }
}
