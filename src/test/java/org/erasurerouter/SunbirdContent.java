package org.erasurerouter;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.erasurerouter.servers.RealServers;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import redis.clients.jedis.Jedis;

/**
 * Sunbird-shaped content in the real stores: a user's content, its draft copy and a collection holding the content,
 * copied into the graph, the hierarchy store, the search index and the cache, the way the platform keeps them.
 */
public final class SunbirdContent implements AutoCloseable {
    private static final String ORIGIN = "{\"creator\":{\"name\":\"%s\"}}";

    private final RealServers servers;
    private final Driver neo4j;
    private final CqlSession cql;
    private final HttpClient http = HttpClient.newHttpClient();

    public SunbirdContent(RealServers servers) {
        this.servers = servers;
        this.neo4j = GraphDatabase.driver(servers.neo4jBoltUrl(), AuthTokens.none(), Config.builder().withLogging(Logging.slf4j()).build());
        this.cql = CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", servers.cassandraPort()))
                .withLocalDatacenter("datacenter1").build();
        cql.execute("CREATE KEYSPACE IF NOT EXISTS hierarchy_store WITH replication = {'class':'SimpleStrategy','replication_factor':1}");
        cql.execute("CREATE TABLE IF NOT EXISTS hierarchy_store.content_hierarchy (identifier text PRIMARY KEY, hierarchy text, relational_metadata text)");
    }

    /**
     * Seeds {@code <prefix>_content} (Live), its draft {@code <prefix>_content.img} and {@code <prefix>_collection}
     * holding the content, all created by the user, in every content store.
     */
    public void seedCreator(String prefix, String userId, String userName) throws Exception {
        String content = prefix + "_content";
        String collection = prefix + "_collection";
        neo4j.executableQuery("""
                UNWIND $nodes AS n
                MERGE (c:domain {IL_UNIQUE_ID: n.id})
                SET c.IL_FUNC_OBJECT_TYPE = n.type, c.IL_SYS_NODE_TYPE = 'DATA_NODE', c.status = n.status,
                    c.createdBy = n.by, c.creator = n.name, c.originData = n.origin
                """).withParameters(Map.of("nodes", List.of(
                node(content, "Content", "Live", userId, userName),
                node(content + ".img", "ContentImage", "Draft", userId, userName),
                node(collection, "Collection", "Live", userId, userName)))).execute();
        neo4j.executableQuery("""
                MATCH (p:domain {IL_UNIQUE_ID: $collection}), (c:domain {IL_UNIQUE_ID: $content})
                MERGE (p)-[:hasSequenceMember]->(c)""").withParameters(Map.of("collection", collection, "content", content)).execute();
        cql.execute(cql.prepare("INSERT INTO hierarchy_store.content_hierarchy (identifier, hierarchy) VALUES (?, ?)").bind(collection, """
                {"identifier":"%s","createdBy":"%s","creator":"%s","children":[
                  {"identifier":"%s","createdBy":"%s","creator":"%s","children":[]}]}"""
                .formatted(collection, userId, userName, content, userId, userName)));
        for (String id : List.of(content, collection)) {
            elasticsearch("PUT", "/compositesearch/_doc/" + id + "?refresh=true",
                    "{\"identifier\":\"%s\",\"createdBy\":\"%s\",\"creator\":\"%s\",\"status\":\"Live\"}".formatted(id, userId, userName));
        }
        try (Jedis redis = new Jedis("127.0.0.1", servers.redisPort())) {
            redis.set(content, "{\"identifier\":\"%s\",\"creator\":\"%s\"}".formatted(content, userName));
            redis.set("hierarchy_" + collection, "{\"identifier\":\"%s\",\"creator\":\"%s\"}".formatted(collection, userName));
        }
    }

    /** How many records in each content store still hold the name: what erasure must bring to zero. */
    public Map<String, Long> copiesOfName(String name) throws Exception {
        Map<String, Long> copies = new TreeMap<>();
        copies.put("neo4j", neo4j.executableQuery("MATCH (n:domain) WHERE n.creator = $name OR n.originData CONTAINS $name RETURN count(n) AS c")
                .withParameters(Map.of("name", name)).execute().records().get(0).get("c").asLong());
        copies.put("cassandra", cql.execute("SELECT hierarchy FROM hierarchy_store.content_hierarchy").all().stream()
                .filter(row -> String.valueOf(row.getString(0)).contains(name)).count());
        copies.put("elasticsearch", documentsNamed(name));
        try (Jedis redis = new Jedis("127.0.0.1", servers.redisPort())) {
            copies.put("redis", redis.keys("*").stream().filter(k -> String.valueOf(redis.get(k)).contains(name)).count());
        }
        return copies;
    }

    /**
     * Documents whose creator holds the name. The index is searched after a refresh, and once more a second later if
     * the first count is not zero: a search index is eventually consistent, and one CI run saw a stale count.
     */
    private long documentsNamed(String name) throws Exception {
        long count = 0;
        for (int attempt = 0; attempt < 2; attempt++) {
            elasticsearch("POST", "/compositesearch/_refresh", "{}");
            String answer = elasticsearch("POST", "/compositesearch/_count", "{\"query\":{\"match_phrase\":{\"creator\":\"%s\"}}}".formatted(name));
            count = Long.parseLong(answer.replaceAll("(?s).*\"count\":(\\d+).*", "$1"));
            if (count == 0) {
                return 0;
            }
            Thread.sleep(1000);
        }
        return count;
    }

    /** The {@code createdBy} of a graph node. */
    public String ownerOf(String identifier) {
        return neo4j.executableQuery("MATCH (n:domain {IL_UNIQUE_ID: $id}) RETURN n.createdBy AS by")
                .withParameters(Map.of("id", identifier)).execute().records().get(0).get("by").asString();
    }

    private String elasticsearch(String method, String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, Object> node(String id, String type, String status, String by, String name) {
        return Map.of("id", id, "type", type, "status", status, "by", by, "name", name, "origin", ORIGIN.formatted(name));
    }

    @Override
    public void close() {
        cql.close();
        neo4j.close();
    }
}
