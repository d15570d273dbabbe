package org.erasurerouter.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.management.ObjectName;
import org.erasurerouter.servers.RealServers;

/**
 * Brings Cassandra and Elasticsearch to the same state before each side of a run is timed: memtables flushed and
 * tables compacted, the index refreshed and merged. Otherwise the side that runs later meets the data the earlier
 * ones wrote spread over more SSTables and segments, and pays for the compactions and merges they started: a
 * profile of Cassandra put 3.3 times the prepare work per lightweight transaction, and every compaction, on the side
 * that ran last.
 */
final class SettledStores {
    private static final String[] TABLES = {"hierarchy_store.content_hierarchy", "system.paxos"};

    private SettledStores() {
    }

    static void settle(RealServers servers) throws Exception {
        compactCassandra();
        HttpClient http = HttpClient.newHttpClient();
        for (String call : new String[] {"/compositesearch/_refresh", "/compositesearch/_forcemerge?max_num_segments=1"}) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + call))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("Elasticsearch answered " + answer.statusCode() + " to " + call);
            }
        }
    }

    /** Through Cassandra's StorageService MBean. */
    private static void compactCassandra() throws Exception {
        LocalJmx.withCassandra(beans -> {
            ObjectName storage = new ObjectName("org.apache.cassandra.db:type=StorageService");
            for (String table : TABLES) {
                String[] keyspaceAndTable = table.split("\\.");
                String[] tables = {keyspaceAndTable[1]};
                beans.invoke(storage, "forceKeyspaceFlush", new Object[] {keyspaceAndTable[0], tables},
                        new String[] {String.class.getName(), String[].class.getName()});
                beans.invoke(storage, "forceKeyspaceCompaction", new Object[] {false, keyspaceAndTable[0], tables},
                        new String[] {boolean.class.getName(), String.class.getName(), String[].class.getName()});
            }
            return null;
        });
    }
}
