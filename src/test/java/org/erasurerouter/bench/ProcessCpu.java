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
    /** The role of the runtime's JVM. */
    static final String RUNTIME = "Erasure Router runtime";

    private ProcessCpu() {
    }

    /**
     * CPU seconds used so far by each role's processes, read from Linux's {@code /proc}: a process's own time and that
     * of its children that have ended (PostgreSQL's backends end with their connections, and their time goes to the
     * postmaster).
     */
    static Map<String, Double> now() {
        return byRole(ProcessCpu::cpuSeconds);
    }

    /**
     * Of {@link #now()}, the CPU seconds each role's JIT compiler threads used so far (HotSpot's C1 and C2 threads, by
     * their names in {@code /proc}): the part that is the JVM still compiling, not the work itself, which a long-running
     * process pays once and a timed side pays again whenever it reaches code it has not yet compiled.
     */
    static Map<String, Double> jitNow() {
        return byRole(ProcessCpu::jitSeconds);
    }

    private static Map<String, Double> byRole(java.util.function.LongToDoubleFunction seconds) {
        Map<String, Double> byRole = new TreeMap<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String role = role(p.pid());
            if (role != null) {
                byRole.merge(role, seconds.applyAsDouble(p.pid()), Double::sum);
            }
        });
        return byRole;
    }

    /** Milliseconds of CPU per user each role used since {@code before}. */
    static Map<String, Double> perUserSince(Map<String, Double> before, int users) {
        return perUser(before, now(), users);
    }

    /** Milliseconds of JIT compilation per user each role's JVM did since {@code before} (from {@link #jitNow()}). */
    static Map<String, Double> jitPerUserSince(Map<String, Double> before, int users) {
        return perUser(before, jitNow(), users);
    }

    private static Map<String, Double> perUser(Map<String, Double> before, Map<String, Double> now, int users) {
        Map<String, Double> perUser = new TreeMap<>();
        now.forEach((role, seconds) -> perUser.put(role, Math.max(0, seconds - before.getOrDefault(role, 0.0)) * 1000 / users));
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
            return RUNTIME;
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

    /** utime + stime + cutime + cstime of /proc/pid/stat, in seconds. */
    private static double cpuSeconds(long pid) {
        return seconds(Path.of("/proc", Long.toString(pid), "stat"), 4);
    }

    /** utime + stime of the process's threads named C1/C2 CompilerThread, in seconds (0 for a process that is not a JVM). */
    private static double jitSeconds(long pid) {
        try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return threads.filter(task -> readFile(task.resolve("comm")).matches("C\\d CompilerThre.*\\s*"))
                    .mapToDouble(task -> seconds(task.resolve("stat"), 2)).sum();
        } catch (IOException | java.io.UncheckedIOException ended) {
            return 0;
        }
    }

    /**
     * The sum of the first {@code times} CPU times of a {@code stat} file of /proc (utime, stime, cutime, cstime, in
     * clock ticks of 1/100 s), in seconds; 0 once its process or thread has ended.
     */
    private static double seconds(Path stat, int times) {
        String line = readFile(stat);
        String[] fields = line.isEmpty() ? new String[0] : line.substring(line.lastIndexOf(')') + 2).split(" ");
        if (fields.length < 11 + times) {
            return 0;
        }
        long ticks = 0;
        for (int field = 11; field < 11 + times; field++) {
            ticks += Long.parseLong(fields[field]);
        }
        return ticks / 100.0;
    }

    private static String read(long pid, String file) {
        return readFile(Path.of("/proc", Long.toString(pid), file));
    }

    private static String readFile(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException ended) {
            return "";
        }
    }
}
