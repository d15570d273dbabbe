package org.erasurerouter.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.erasurerouter.servers.RealServers;

/**
 * What every process and store has done so far: the CPU (and JIT) each process used, and what Cassandra,
 * Elasticsearch and PostgreSQL were asked. One reading before a side is timed and {@link #perUserSince} after it
 * bracket the side's work.
 */
record Readings(Map<String, Double> cpu, Map<String, Double> jit, Map<String, Double> cassandra,
                Map<String, Double> elasticsearch, Map<String, Double> postgres) {

    static Readings take(RealServers servers) throws Exception {
        return new Readings(ProcessCpu.now(), ProcessCpu.jitNow(), StoreRequests.cassandra(),
                StoreRequests.elasticsearch(servers), StoreRequests.postgres(servers));
    }

    /**
     * Per user, what was done since {@code before}, under the names a side's figures have in the JSON. The CPU is read
     * first, before the stores' counts (PostgreSQL's wait for its statistics would otherwise count as the side's).
     */
    static Map<String, Object> perUserSince(Readings before, RealServers servers, int users) throws Exception {
        Map<String, Object> perUser = new LinkedHashMap<>();
        perUser.put("cpuMillisPerUser", ProcessCpu.perUserSince(before.cpu(), users));
        perUser.put("jitCpuMillisPerUser", ProcessCpu.jitPerUserSince(before.jit(), users));
        perUser.put("cassandraRequestsPerUser", StoreRequests.perUser(before.cassandra(), StoreRequests.cassandra(), users));
        perUser.put("elasticsearchRequestsPerUser",
                StoreRequests.perUser(before.elasticsearch(), StoreRequests.elasticsearch(servers), users));
        perUser.put("postgresRequestsPerUser", StoreRequests.perUser(before.postgres(), StoreRequests.postgres(servers), users));
        return perUser;
    }
}
