package org.erasurerouter.local;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.erasurerouter.servers.RealServers;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import redis.clients.jedis.Jedis;

/**
 * A small Sunbird-shaped data set for the local stack: a user's content, its draft copy and a collection, copied
 * into the graph, the hierarchy store, the search index and the cache, next to another user's content.
 */
final class DemoData {
    static final String USER_ID = "u-demo-1";
    static final String USER_NAME = "Dana Demo";
    static final String ORG_ID = "org-demo";
    private static final String OTHER_ID = "u-demo-2";
    private static final String OTHER_NAME = "Omar Other";
    private static final String ORIGIN = "{\"creator\":{\"name\":\"%s\"}}";

    private static final Config QUIET = Config.builder().withLogging(Logging.slf4j()).build();

    private final RealServers servers;
    private final HttpClient http = HttpClient.newHttpClient();

    DemoData(RealServers servers) {
        this.servers = servers;
    }

    void seed() throws Exception {
        try (Driver neo4j = GraphDatabase.driver(servers.neo4jBoltUrl(), AuthTokens.none(), QUIET)) {
            neo4j.executableQuery("""
                    UNWIND $nodes AS n
                    MERGE (c:domain {IL_UNIQUE_ID: n.id})
                    SET c.IL_FUNC_OBJECT_TYPE = n.type, c.IL_SYS_NODE_TYPE = 'DATA_NODE', c.status = n.status,
                        c.createdBy = n.by, c.creator = n.name, c.originData = n.origin
                    """).withParameters(Map.of("nodes", List.of(
                    node("do_demo_content", "Content", "Live", USER_ID, USER_NAME),
                    node("do_demo_content.img", "ContentImage", "Draft", USER_ID, USER_NAME),
                    node("do_demo_collection", "Collection", "Live", USER_ID, USER_NAME),
                    node("do_other_content", "Content", "Live", OTHER_ID, OTHER_NAME)))).execute();
            neo4j.executableQuery("""
                    MATCH (p:domain {IL_UNIQUE_ID: 'do_demo_collection'}), (c:domain {IL_UNIQUE_ID: 'do_demo_content'})
                    MERGE (p)-[:hasSequenceMember]->(c)""").execute();
        }
        try (CqlSession cql = cassandra()) {
            cql.execute("CREATE KEYSPACE IF NOT EXISTS hierarchy_store WITH replication = {'class':'SimpleStrategy','replication_factor':1}");
            cql.execute("CREATE TABLE IF NOT EXISTS hierarchy_store.content_hierarchy (identifier text PRIMARY KEY, hierarchy text, relational_metadata text)");
            cql.execute(cql.prepare("INSERT INTO hierarchy_store.content_hierarchy (identifier, hierarchy) VALUES (?, ?)").bind(
                    "do_demo_collection", """
                    {"identifier":"do_demo_collection","createdBy":"%s","creator":"%s","children":[
                      {"identifier":"do_demo_content","createdBy":"%s","creator":"%s","children":[]}]}"""
                            .formatted(USER_ID, USER_NAME, USER_ID, USER_NAME)));
        }
        for (String[] doc : new String[][] {
                {"do_demo_content", USER_ID, USER_NAME}, {"do_demo_collection", USER_ID, USER_NAME}, {"do_other_content", OTHER_ID, OTHER_NAME}}) {
            elasticsearch("PUT", "/compositesearch/_doc/" + doc[0] + "?refresh=true",
                    "{\"identifier\":\"%s\",\"createdBy\":\"%s\",\"creator\":\"%s\",\"status\":\"Live\"}".formatted(doc[0], doc[1], doc[2]));
        }
        try (Jedis redis = new Jedis("127.0.0.1", servers.redisPort())) {
            redis.set("do_demo_content", "{\"identifier\":\"do_demo_content\",\"creator\":\"%s\"}".formatted(USER_NAME));
            redis.set("hierarchy_do_demo_collection", "{\"identifier\":\"do_demo_collection\",\"creator\":\"%s\"}".formatted(USER_NAME));
        }
    }

    /** How many records in each store still hold the user's name: what erasure must bring to zero. */
    Map<String, Long> copiesOfName(String name) throws Exception {
        long graph;
        try (Driver neo4j = GraphDatabase.driver(servers.neo4jBoltUrl(), AuthTokens.none(), QUIET)) {
            graph = neo4j.executableQuery("MATCH (n:domain) WHERE n.creator = $name OR n.originData CONTAINS $name RETURN count(n) AS c")
                    .withParameters(Map.of("name", name)).execute().records().get(0).get("c").asLong();
        }
        long hierarchies;
        try (CqlSession cql = cassandra()) {
            hierarchies = cql.execute("SELECT hierarchy FROM hierarchy_store.content_hierarchy").all().stream()
                    .filter(row -> String.valueOf(row.getString(0)).contains(name)).count();
        }
        String count = elasticsearch("POST", "/compositesearch/_count", "{\"query\":{\"match_phrase\":{\"creator\":\"%s\"}}}".formatted(name));
        long documents = Long.parseLong(count.replaceAll(".*\"count\":(\\d+).*", "$1"));
        long cached;
        try (Jedis redis = new Jedis("127.0.0.1", servers.redisPort())) {
            cached = redis.keys("*").stream().filter(k -> String.valueOf(redis.get(k)).contains(name)).count();
        }
        return Map.of("neo4j", graph, "cassandra", hierarchies, "elasticsearch", documents, "redis", cached);
    }

    private CqlSession cassandra() {
        return CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", servers.cassandraPort()))
                .withLocalDatacenter("datacenter1").build();
    }

    private String elasticsearch(String method, String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, Object> node(String id, String type, String status, String by, String name) {
        return Map.of("id", id, "type", type, "status", status, "by", by, "name", name, "origin", ORIGIN.formatted(name));
    }
}
