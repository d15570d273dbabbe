package org.erasurerouter.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of the processes on this machine that take part in a benchmark, by role: the runtime, each server, and
 * the benchmark's own JVM (which runs the baseline, and hosts the embedded Kafka broker and Neo4j). On two shared cores
 * this, more than wall time, shows which side and which server a run's work lands on.
 */
final class ProcessCpu {

    private static final long SELF = ProcessHandle.current().pid();

    private ProcessCpu() {
    }

    /** CPU seconds used so far by each role's live processes. */
    static Map<String, Double> now() {
        Map<String, Double> seconds = new TreeMap<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String role = role(p);
            if (role != null) {
                p.info().totalCpuDuration().ifPresent(cpu -> seconds.merge(role, cpu.toNanos() / 1e9, Double::sum));
            }
        });
        return seconds;
    }

    /** Milliseconds of CPU per user each role used since {@code before}. */
    static Map<String, Double> perUserSince(Map<String, Double> before, int users) {
        Map<String, Double> perUser = new TreeMap<>();
        now().forEach((role, seconds) -> perUser.put(role, Math.max(0, seconds - before.getOrDefault(role, 0.0)) * 1000 / users));
        return perUser;
    }

    private static String role(ProcessHandle p) {
        if (p.pid() == SELF) {
            return "benchmark JVM (baseline, Kafka, Neo4j)";
        }
        String command = p.info().commandLine().orElse("");
        if (command.contains("camel.management.port")) {
            return "Erasure Router runtime";
        } else if (command.contains("EsNodeMain")) {
            return "Elasticsearch";
        } else if (command.contains("CassandraDaemon")) {
            return "Cassandra";
        } else if (command.contains("postgres")) {
            return "PostgreSQL";
        } else if (command.contains("redis-server")) {
            return "Redis";
        }
        return null;
    }
}
