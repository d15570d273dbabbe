package org.erasurerouter.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * CPU seconds used so far by each role's processes, read from Linux's {@code /proc}: a process's own time and that
     * of its children that have ended (PostgreSQL's backends end with their connections, and their time goes to the
     * postmaster).
     */
    static Map<String, Double> now() {
        Map<String, Double> seconds = new TreeMap<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String role = role(p.pid());
            if (role != null) {
                seconds.merge(role, cpuSeconds(p.pid()), Double::sum);
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

    /**
     * Percent of one core each role uses while nothing is asked of it, over {@code seconds}: background work (a
     * compaction, a flush, timers) that the per-user figures of the side measured next also carry.
     */
    static Map<String, Double> background(int seconds) throws InterruptedException {
        Map<String, Double> before = now();
        Thread.sleep(seconds * 1000L);
        Map<String, Double> percent = new TreeMap<>();
        perUserSince(before, 1).forEach((role, ms) -> percent.put(role, ms / (seconds * 10.0)));
        return percent;
    }

    /** The process whose command line (read from {@code /proc}, whole, however long its class path) holds {@code marker}. */
    static long pidOf(String marker) {
        return ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).filter(pid -> read(pid, "cmdline").contains(marker))
                .findFirst().orElseThrow(() -> new IllegalStateException("no process runs " + marker));
    }

    private static String role(long pid) {
        if (pid == SELF) {
            return "benchmark JVM (baseline, Kafka, Neo4j)";
        }
        String command = read(pid, "cmdline");
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

    /** utime + stime + cutime + cstime of /proc/pid/stat, in clock ticks of 1/100 s. */
    private static double cpuSeconds(long pid) {
        String stat = read(pid, "stat");
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (fields.length < 15) {
            return 0; // ended meanwhile
        }
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / 100.0;
    }

    private static String read(long pid, String file) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8);
        } catch (IOException ended) {
            return "";
        }
    }
}
