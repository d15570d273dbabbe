package org.erasurerouter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.TreeMap;
import javax.management.ObjectName;
import org.erasurerouter.servers.RealServers;

/**
 * What each side of a run asked of Cassandra, Elasticsearch and PostgreSQL, counted by the servers themselves: with the
 * CPU each server used, it tells a side that asks more from one that pays more for the same requests.
 */
final class StoreRequests {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** By what it counts: each metric's MBean under org.apache.cassandra.metrics. */
    private static final Map<String, String> CASSANDRA_COUNTS = Map.of(
            "statements, prepared", "type=CQL,name=PreparedStatementsExecuted",
            "statements, not prepared", "type=CQL,name=RegularStatementsExecuted",
            "coordinator reads (a partition each)", "type=ClientRequest,scope=Read,name=Latency",
            "coordinator writes (a partition each)", "type=ClientRequest,scope=Write,name=Latency",
            "coordinator lightweight transactions", "type=ClientRequest,scope=CASWrite,name=Latency",
            "hierarchy partitions read", "type=Table,keyspace=hierarchy_store,scope=content_hierarchy,name=ReadLatency",
            "hierarchy partitions written", "type=Table,keyspace=hierarchy_store,scope=content_hierarchy,name=WriteLatency",
            "paxos partitions read", "type=Table,keyspace=system,scope=paxos,name=ReadLatency",
            "paxos partitions written", "type=Table,keyspace=system,scope=paxos,name=WriteLatency");

    private StoreRequests() {
    }

    /**
     * What Cassandra was asked so far, from its own metrics: statements executed, requests its coordinator served by
     * kind, and partitions read and written in the hierarchy table and in Paxos' state. Two readings bracket a side.
     */
    static Map<String, Double> cassandra() throws Exception {
        return LocalJmx.withCassandra(beans -> {
            Map<String, Double> counts = new TreeMap<>();
            for (Map.Entry<String, String> metric : CASSANDRA_COUNTS.entrySet()) {
                // a metric missing here fails the run rather than leaving its row out of the table
                ObjectName name = new ObjectName("org.apache.cassandra.metrics:" + metric.getValue());
                counts.put(metric.getKey(), ((Number) beans.getAttribute(name, "Count")).doubleValue());
            }
            return counts;
        });
    }

    /**
     * What the index was asked so far, from its own statistics: searches, scrolls, real-time gets (an update's read
     * included), documents written, refreshes. Counts only: its times are elapsed, not CPU, and grow with the load.
     */
    static Map<String, Double> elasticsearch(RealServers servers) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(
                URI.create(servers.elasticsearchUrl() + "/compositesearch/_stats/search,get,indexing,refresh")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("Elasticsearch answered " + answer.statusCode() + " to its index statistics");
        }
        JsonNode total = new ObjectMapper().readTree(answer.body()).path("_all").path("total");
        Map<String, Double> counts = new TreeMap<>();
        counts.put("searches", total.path("search").path("query_total").asDouble());
        counts.put("scrolls", total.path("search").path("scroll_total").asDouble());
        counts.put("gets", total.path("get").path("total").asDouble());
        counts.put("documents written", total.path("indexing").path("index_total").asDouble());
        counts.put("refreshes", total.path("refresh").path("total").asDouble());
        return counts;
    }

    /**
     * What the ledger's database was asked so far, from its own statistics: transactions (a statement each, but for the
     * ledger's few multi-statement ones) and rows inserted, updated and deleted. A backend reports its counts at most
     * once a second, so this waits that long first. Some transactions are not per user: the runtime's looks at its two
     * queues (five a second each, busy or not) and the benchmark's progress queries (two a second).
     */
    static Map<String, Double> postgres(RealServers servers) throws Exception {
        Thread.sleep(1_100);
        try (Connection c = DriverManager.getConnection(servers.jdbcUrl(), "postgres", "postgres");
             var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_deleted"
                     + " FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            Map<String, Double> counts = new TreeMap<>();
            counts.put("transactions", rs.getDouble(1));
            counts.put("rows inserted", rs.getDouble(2));
            counts.put("rows updated", rs.getDouble(3));
            counts.put("rows deleted", rs.getDouble(4));
            return counts;
        }
    }

    /** Per user, each count's growth from {@code before} to {@code after}. */
    static Map<String, Double> perUser(Map<String, Double> before, Map<String, Double> after, int users) {
        Map<String, Double> perUser = new TreeMap<>();
        after.forEach((metric, count) -> perUser.put(metric, (count - before.getOrDefault(metric, 0.0)) / users));
        return perUser;
    }
}
