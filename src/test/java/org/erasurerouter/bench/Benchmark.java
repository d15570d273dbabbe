package org.erasurerouter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.erasurerouter.DeletionEvents;
import org.erasurerouter.RunningRouter;
import org.erasurerouter.SunbirdContent;
import org.erasurerouter.SunbirdContent.Owner;
import org.erasurerouter.servers.FreePorts;
import org.erasurerouter.servers.RealServers;

/**
 * The end-to-end benchmark (README#benchmark): N users × M assets seeded into every store in Sunbird's shapes, N
 * delete-user events through the runtime (a JVM of its own, as production runs it), against the same erasure done
 * by {@link DirectDriverBaseline}, plain and with the same guarantees. Prints a table and writes JSON under
 * {@code target/benchmark/}.
 * Settings: {@code -Dbench.users} (10000), {@code -Dbench.assets} (10), {@code -Dbench.runs} (1), {@code -Dbench.warmup}
 * (users erased by each side before it is timed, 15000: on two cores the runtime's JIT compiler still took a
 * quarter of a core after 5000, and the runtime and the servers it drives spent ~40 % more CPU per user),
 * {@code -Dbench.partitions} (of the events topic, 4),
 * {@code -Dbench.heap} (the runtime's -Xmx, -Xmx1g), {@code -Dbench.settings="key=value;…"} (runtime settings to try)
 * and {@code -Dbench.servers-as-in-production} (true: Cassandra and Elasticsearch with both compiler tiers and
 * production heaps; false: C1-only on the tests' small heaps).
 */
public final class Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String TABLE = "bench_profile";
    /** How long each side's background CPU is measured, with nothing asked of the servers, before it is timed. */
    private static final int QUIET_SECONDS = 10;

    private final RealServers servers;
    private final int users;
    private final int assets;
    private final int warmup = Integer.getInteger("bench.warmup", 15000);
    private final int partitions = Integer.getInteger("bench.partitions", 4);
    private final HttpClient http = HttpClient.newHttpClient();

    private Benchmark(RealServers servers, int users, int assets) {
        this.servers = servers;
        this.users = users;
        this.assets = assets;
    }

    public static void main(String[] args) {
        try {
            measure();
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void measure() throws Exception {
        int users = Integer.getInteger("bench.users", 10_000);
        int assets = Integer.getInteger("bench.assets", 10);
        int runs = Integer.getInteger("bench.runs", 1);
        System.out.printf("Benchmark: %d users x %d assets, %d run(s). Starting the servers…%n", users, assets, runs);
        RealServers servers = RealServers.startAll();
        Benchmark benchmark = new Benchmark(servers, users, assets);
        List<Map<String, Object>> results = new ArrayList<>();
        try (SunbirdContent content = new SunbirdContent(servers)) {
            content.createGraphIndexes();
            try (Connection sql = benchmark.sql()) {
                sql.createStatement().execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (user_id text PRIMARY KEY, name text, email text)");
            }
            for (int run = 1; run <= runs; run++) {
                results.add(benchmark.run(content, run));
                print(results.get(results.size() - 1));
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("users", users);
        report.put("assetsPerUser", assets);
        report.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java", System.getProperty("java.version")));
        // Cassandra and Elasticsearch with both compiler tiers and production heaps, or C1-only as in the tests
        report.put("serversAsInProduction", Boolean.getBoolean("servers.as-in-production"));
        report.put("runs", results);
        if (results.size() > 1) {
            report.put("spread", spread(results));
        }
        Path out = Files.createDirectories(Path.of("target", "benchmark")).resolve("benchmark-" + Instant.now().toString().replace(':', '-') + ".json");
        JSON.writeValue(out.toFile(), report);
        if (results.size() > 1) {
            System.out.println("Spread over " + results.size() + " runs: " + report.get("spread"));
        }
        System.out.println("Written: " + out.toAbsolutePath());
    }

    private Map<String, Object> run(SunbirdContent content, int run) throws Exception {
        String tag = "bench" + run + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<Owner> base = owners(tag + "-base", users);
        List<Owner> guarded = owners(tag + "-guarded", users);
        List<Owner> measured = owners(tag + "-run", users);
        List<Owner> baseWarmup = owners(tag + "-basewarm", warmup);
        List<Owner> guardedWarmup = owners(tag + "-guardedwarm", warmup);
        List<Owner> runWarmup = owners(tag + "-warm", warmup);
        long seeding = System.nanoTime();
        for (List<Owner> set : List.of(base, guarded, measured, baseWarmup, guardedWarmup, runWarmup)) {
            for (int from = 0; from < set.size(); from += 500) {
                List<Owner> chunk = set.subList(from, Math.min(set.size(), from + 500));
                content.seedOwners(chunk, assets);
                seedProfiles(chunk);
            }
        }
        System.out.printf("run %d: seeded %d users x %d assets three times, and %d warm-up users three times, in %.0f s%n", run,
                users, assets, warmup, (System.nanoTime() - seeding) / 1e9);
        // the warm-ups then read what each timed side reads, flushed and compacted: otherwise the first side's warm-up
        // read fresh data from Cassandra's memtables, and its timed part paid Cassandra's JIT for its SSTable reads
        SettledStores.settle(servers);

        // the same warm-up as the runtime's, both loops' before either is timed: the first loop timed in a run otherwise
        // paid the servers' JIT for what the runs after it found compiled (Cassandra's 1.1 ms of 2.1 per user at N = 3,000)
        warmUp(false, baseWarmup);
        warmUp(true, guardedWarmup);
        Map<String, Object> baseline = baseline(run, false, base);
        Map<String, Object> sameGuarantees = baseline(run, true, guarded);
        Map<String, Object> runtime = runtime(runWarmup, measured, tag);
        double usersPerSecond = (double) runtime.get("usersPerSecond");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", run);
        result.put("runtime", runtime);
        result.put("baseline", baseline);
        result.put("baselineWithSameGuarantees", sameGuarantees);
        result.put("ratioToBaseline", usersPerSecond / (double) baseline.get("usersPerSecond"));
        result.put("ratioToBaselineWithSameGuarantees", usersPerSecond / (double) sameGuarantees.get("usersPerSecond"));
        return result;
    }

    /** Erases one side of the baseline's warm-up users, untimed: its hot paths compiled, in its JVM and the servers. */
    private void warmUp(boolean sameGuarantees, List<Owner> warmupOwners) throws Exception {
        try (DirectDriverBaseline baseline = new DirectDriverBaseline(servers, sameGuarantees)) {
            baseline.erase(warmupOwners, TABLE);
        }
    }

    /** One side of the baseline (see {@link DirectDriverBaseline}), timed once the warm-ups are done. */
    private Map<String, Object> baseline(int run, boolean sameGuarantees, List<Owner> owners) throws Exception {
        try (DirectDriverBaseline baseline = new DirectDriverBaseline(servers, sameGuarantees)) {
            SettledStores.settle(servers);
            Map<String, Double> background = ProcessCpu.background(QUIET_SECONDS);
            Readings before = Readings.take(servers);
            long start = System.nanoTime();
            long records = baseline.erase(owners, TABLE);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> measured = new LinkedHashMap<>(Readings.perUserSince(before, servers, owners.size()));
            System.out.printf("run %d: baseline%s erased %d users (%d records) in %.1f s%n", run,
                    sameGuarantees ? " with the same guarantees" : "", owners.size(), records, seconds);
            measured.put("seconds", seconds);
            measured.put("records", records);
            measured.put("usersPerSecond", owners.size() / seconds);
            measured.put("recordsPerSecond", records / seconds);
            measured.put("backgroundCpuPercent", background);
            return measured;
        }
    }

    /**
     * Publishes one delete-user event per warm-up user to a runtime of its own and waits until the ledger shows them
     * all finished; then publishes one per measured user and measures until the ledger shows all of those DONE.
     */
    private Map<String, Object> runtime(List<Owner> warmupOwners, List<Owner> owners, String tag) throws Exception {
        String topic = "bench." + tag;
        createTopic(topic);
        int management = FreePorts.next();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("erasure.kafka.topics", topic);
        settings.put("erasure.kafka.dead-letter-topic", topic + ".dlq");
        settings.put("erasure.kafka.group-id", tag);
        settings.put("erasure.stores", "neo4j,cassandra,elasticsearch,redis,jdbc");
        settings.put("erasure.jdbc.table.profile.table", TABLE);
        settings.put("erasure.jdbc.table.profile.action", "obfuscate");
        settings.put("erasure.jdbc.table.profile.columns", "name, email:null");
        settings.put("erasure.reconcile.schedule-enabled", "false");
        settings.put("camel.management.port", Integer.toString(management));
        settings.put("jvm.heap", System.getProperty("bench.heap", "-Xmx1g"));
        settings.putAll(overrides());
        Process child = RunningRouter.startChild(settings, tag);
        try (DeletionEvents events = DeletionEvents.producer(); Connection progress = sql();
             JMXConnector jmx = jmxOnceReady(management, child)) {
            MBeanServerConnection heap = jmx.getMBeanServerConnection();
            long warmupStart = System.nanoTime();
            Timestamp warmupSince = databaseNow(progress);
            publish(events, topic, warmupOwners);
            while (finished(progress, tag + "-warm-%", warmupSince) < warmupOwners.size()) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("the runtime died; see target/child-runtimes/" + tag + ".log");
                }
                Thread.sleep(500);
            }
            double warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
            System.out.printf("  warm-up: %d users in %.1f s (%.1f users/s, cold)%n", warmupOwners.size(), warmupSeconds,
                    warmupOwners.size() / warmupSeconds);
            long peakHeap = 0;
            SettledStores.settle(servers);
            Map<String, Double> background = ProcessCpu.background(QUIET_SECONDS);
            // the metrics page first, so scraping it is not counted in the side's CPU
            StepTimes stepsBefore = StepTimes.of(get(management, "/observe/metrics").body());
            Readings before = Readings.take(servers);
            long start = System.nanoTime();
            Timestamp since = databaseNow(progress);
            publish(events, topic, owners);
            long lastReport = System.nanoTime();
            Map<String, Double> lastJit = before.jit();
            long done;
            while ((done = finished(progress, tag + "-run-%", since)) < owners.size()) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("the runtime died; see target/child-runtimes/" + tag + ".log");
                }
                peakHeap = Math.max(peakHeap, heapUsed(heap));
                if (System.nanoTime() - lastReport > 10e9) {
                    // how much of a core the runtime's JIT compiler still takes: near 0 once it is warm
                    Map<String, Double> jitNow = ProcessCpu.jitNow();
                    double compiling = (jitNow.getOrDefault(ProcessCpu.RUNTIME, 0.0) - lastJit.getOrDefault(ProcessCpu.RUNTIME, 0.0)) * 1e11
                            / (System.nanoTime() - lastReport);
                    System.out.printf("  %d / %d requests finished, %.0f s (the runtime's JIT: %.0f %% of a core)%n", done,
                            owners.size(), (System.nanoTime() - start) / 1e9, compiling);
                    lastReport = System.nanoTime();
                    lastJit = jitNow;
                }
                Thread.sleep(500);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> perUser = Readings.perUserSince(before, servers, owners.size());
            peakHeap = Math.max(peakHeap, heapUsed(heap));
            StepTimes steps = StepTimes.of(get(management, "/observe/metrics").body()).since(stepsBefore);
            Map<String, Object> measured = new LinkedHashMap<>();
            measured.put("seconds", seconds);
            measured.put("usersPerSecond", owners.size() / seconds);
            long records = recordsTouched(progress, tag + "-run-%");
            measured.put("records", records);
            measured.put("recordsPerSecond", records / seconds);
            measured.put("statuses", statuses(tag));
            measured.put("latencyMillis", latency(tag));
            measured.put("peakHeapBytes", peakHeap);
            measured.putAll(perUser);
            measured.put("backgroundCpuPercent", background);
            measured.put("routeSeconds", StepTimes.json(steps.routes()));
            measured.put("stepSeconds", StepTimes.json(steps.steps()));
            measured.put("warmup", Map.of("users", warmupOwners.size(), "seconds", warmupSeconds,
                    "usersPerSecond", warmupOwners.size() / warmupSeconds));
            measured.put("settings", settings);
            return measured;
        } finally {
            child.destroy();
            child.waitFor();
        }
    }

    /** Runtime settings to try (batching, concurrency): {@code -Dbench.settings="key=value;key=value"}. */
    private static Map<String, String> overrides() {
        Map<String, String> o = new TreeMap<>();
        for (String pair : System.getProperty("bench.settings", "").split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                o.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return o;
    }

    private static void publish(DeletionEvents events, String topic, List<Owner> owners) throws Exception {
        Map<String, String> batch = new LinkedHashMap<>();
        for (Owner owner : owners) {
            batch.put(owner.userId(), DeletionEvents.deleteUser(owner.userId(), owner.userName(), "org-bench"));
            if (batch.size() == 1000) {
                events.publishAll(topic, batch);
                batch.clear();
            }
        }
        events.publishAll(topic, batch);
    }

    /** The events topic with {@code bench.partitions} partitions: as many consumers as partitions can share it. */
    private void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private List<Owner> owners(String prefix, int count) {
        List<Owner> owners = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            owners.add(new Owner("do_" + prefix.replace('-', '_') + "_" + i, prefix + "-" + i, "Bench Name " + prefix + " " + i));
        }
        return owners;
    }

    private void seedProfiles(List<Owner> owners) throws Exception {
        try (Connection sql = sql(); var insert = sql.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?, ?)")) {
            for (Owner owner : owners) {
                insert.setString(1, owner.userId());
                insert.setString(2, owner.userName());
                insert.setString(3, owner.userId() + "@example.org");
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void awaitReady(int management, Process child) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new IllegalStateException("the runtime did not start; see its log under target/child-runtimes");
            }
            try {
                if (get(management, "/observe/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the runtime was not ready within 180 s");
    }

    /**
     * The progress poll, twice a second on one connection: it reads only the requests finished since {@code since}
     * through the ledger's index on finish time. Matching by user id alone scanned the whole ledger table (its index
     * cannot serve a LIKE that matches most rows), 15 % of the ledger database's work charged to the runtime.
     */
    private static long finished(Connection progress, String userIds, Timestamp since) throws Exception {
        return single(progress, "SELECT count(*) FROM erasure_request WHERE finished_at >= ? AND user_id LIKE ? "
                + "AND status IN ('DONE', 'PARKED', 'FAILED')", since, userIds);
    }

    private static Timestamp databaseNow(Connection sql) throws Exception {
        try (var st = sql.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static long recordsTouched(Connection sql, String userIds) throws Exception {
        return single(sql, "SELECT coalesce(sum(s.assets_touched), 0) FROM erasure_store s JOIN erasure_request r USING (request_id) WHERE r.user_id LIKE ?", userIds);
    }

    private Map<String, Long> statuses(String tag) throws Exception {
        Map<String, Long> statuses = new TreeMap<>();
        try (Connection sql = sql(); var ps = sql.prepareStatement("SELECT status, count(*) FROM erasure_request WHERE user_id LIKE ? GROUP BY status")) {
            ps.setString(1, tag + "-run-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    statuses.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return statuses;
    }

    /** Event time to every store done, from the ledger. */
    private Map<String, Double> latency(String tag) throws Exception {
        try (Connection sql = sql(); var ps = sql.prepareStatement("""
                SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - event_time) * 1000),
                       max(extract(epoch FROM finished_at - event_time) * 1000)
                  FROM erasure_request WHERE user_id LIKE ? AND status = 'DONE'""")) {
            ps.setString(1, tag + "-run-%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Double[] p = (Double[]) rs.getArray(1).getArray();
                return Map.of("p50", p[0], "p95", p[1], "p99", p[2], "max", rs.getDouble(2));
            }
        }
    }

    private static long single(Connection sql, String query, Object... params) throws Exception {
        try (var ps = sql.prepareStatement(query)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The runtime's JMX, once it is ready; its heap is read there, cheaply: scraping the metrics page for it twice a
     * second cost the runtime 2-4 % of a core, charged to its side.
     */
    private JMXConnector jmxOnceReady(int management, Process child) throws Exception {
        awaitReady(management, child);
        return LocalJmx.connect(child.pid());
    }

    private static long heapUsed(MBeanServerConnection runtime) throws Exception {
        return (long) ((CompositeData) runtime.getAttribute(new ObjectName("java.lang:type=Memory"), "HeapMemoryUsage")).get("used");
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Connection sql() throws Exception {
        return DriverManager.getConnection(servers.jdbcUrl(), "postgres", "postgres");
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> result) {
        Map<String, Object> runtime = (Map<String, Object>) result.get("runtime");
        Map<String, Object> baseline = (Map<String, Object>) result.get("baseline");
        Map<String, Double> latency = (Map<String, Double>) runtime.get("latencyMillis");
        System.out.printf("%n| run %s | users/s | records/s | seconds | p50 ms | p95 ms | p99 ms | peak heap MB |%n", result.get("run"));
        System.out.println("|---|---|---|---|---|---|---|---|");
        System.out.printf("| Erasure Router | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f |%n", runtime.get("usersPerSecond"),
                runtime.get("recordsPerSecond"), runtime.get("seconds"), latency.get("p50"), latency.get("p95"), latency.get("p99"),
                ((Long) runtime.get("peakHeapBytes")) / 1048576.0);
        Map<String, Object> guarded = (Map<String, Object>) result.get("baselineWithSameGuarantees");
        System.out.printf("| direct-driver baseline | %.1f | %.1f | %.1f | | | | |%n", baseline.get("usersPerSecond"),
                baseline.get("recordsPerSecond"), baseline.get("seconds"));
        System.out.printf("| baseline, same guarantees | %.1f | %.1f | %.1f | | | | |%n", guarded.get("usersPerSecond"),
                guarded.get("recordsPerSecond"), guarded.get("seconds"));
        System.out.printf("Ratio to the baseline (users/s): %.3f; to the baseline with the same guarantees: %.3f. Statuses: %s%n",
                result.get("ratioToBaseline"), result.get("ratioToBaselineWithSameGuarantees"), runtime.get("statuses"));
        printByRole("CPU per user (ms)", "cpuMillisPerUser", true, runtime, baseline, guarded);
        printByRole("Of which JIT compilation (ms per user; the compiler threads of each JVM)", "jitCpuMillisPerUser", true,
                runtime, baseline, guarded);
        printByRole("Asked of Cassandra per user (its own metrics)", "cassandraRequestsPerUser", false, "%7.2f", runtime, baseline, guarded);
        printByRole("Asked of Elasticsearch per user (its index statistics)", "elasticsearchRequestsPerUser", false, "%7.2f", runtime, baseline, guarded);
        printByRole("Asked of PostgreSQL per user (its database statistics)", "postgresRequestsPerUser", false, "%7.2f", runtime, baseline, guarded);
        printByRole("Background CPU just before each side, % of one core", "backgroundCpuPercent", false, runtime, baseline, guarded);
        printSteps((Map<String, Map<String, Number>>) runtime.get("routeSeconds"),
                (Map<String, Map<String, Number>>) runtime.get("stepSeconds"));
    }

    /**
     * Each route, the busiest first, with its steps beneath it if they were timed (message history on), the busiest
     * first: seconds summed over exchanges, exchanges, seconds per exchange. A content batch's stores run side by side,
     * so the longest store pass per batch is the batch's critical path; steps taking under 1 % of the busiest route's
     * time are left out.
     */
    private static void printSteps(Map<String, Map<String, Number>> routes, Map<String, Map<String, Number>> steps) {
        System.out.println("Time per route" + (steps.isEmpty() ? "" : " and route step")
                + " in the measured phase (seconds summed over exchanges, exchanges, seconds per exchange):");
        double busiest = routes.values().stream().mapToDouble(r -> r.get("seconds").doubleValue()).max().orElse(0);
        busiestFirst(routes).forEach(route -> {
            printStep(route.getKey(), route.getValue());
            busiestFirst(steps).filter(step -> step.getKey().startsWith(route.getKey() + "/"))
                    .filter(step -> step.getValue().get("seconds").doubleValue() >= busiest / 100)
                    .forEach(step -> printStep("    " + step.getKey().substring(route.getKey().length() + 1), step.getValue()));
        });
    }

    private static Stream<Map.Entry<String, Map<String, Number>>> busiestFirst(Map<String, Map<String, Number>> times) {
        return times.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue().get("seconds").doubleValue(),
                a.getValue().get("seconds").doubleValue()));
    }

    private static void printStep(String what, Map<String, Number> times) {
        double seconds = times.get("seconds").doubleValue();
        double exchanges = times.get("exchanges").doubleValue();
        System.out.printf("  %-70.70s %9.1f s %8.0f %9.4f s%n", what, seconds, exchanges, seconds / exchanges);
    }

    /** One figure per process role, for the three sides side by side (and their sum, if {@code total}). */
    private static void printByRole(String title, String key, boolean total, Map<String, Object> runtime,
            Map<String, Object> baseline, Map<String, Object> guarded) {
        printByRole(title, key, total, "%7.1f", runtime, baseline, guarded);
    }

    @SuppressWarnings("unchecked")
    private static void printByRole(String title, String key, boolean total, String figure, Map<String, Object> runtime,
            Map<String, Object> baseline, Map<String, Object> guarded) {
        String line = "  %-40s " + figure + " | " + figure + " | " + figure + "%n";
        System.out.println(title + ", runtime | baseline | baseline with the same guarantees:");
        Map<String, Double> r = (Map<String, Double>) runtime.get(key);
        Map<String, Double> b = (Map<String, Double>) baseline.get(key);
        Map<String, Double> g = (Map<String, Double>) guarded.get(key);
        r.forEach((role, value) -> System.out.printf(line, role, value, b.getOrDefault(role, 0.0), g.getOrDefault(role, 0.0)));
        if (total) {
            System.out.printf(line, "all", sum(r), sum(b), sum(g));
        }
    }

    private static double sum(Map<String, Double> cpu) {
        return cpu.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spread(List<Map<String, Object>> results) {
        Map<String, Object> spread = new LinkedHashMap<>();
        for (String key : List.of("usersPerSecond", "recordsPerSecond")) {
            double min = results.stream().mapToDouble(r -> (double) ((Map<String, Object>) r.get("runtime")).get(key)).min().orElse(0);
            double max = results.stream().mapToDouble(r -> (double) ((Map<String, Object>) r.get("runtime")).get(key)).max().orElse(0);
            spread.put(key, Map.of("min", min, "max", max));
        }
        for (String ratio : List.of("ratioToBaseline", "ratioToBaselineWithSameGuarantees")) {
            double min = results.stream().mapToDouble(r -> (double) r.get(ratio)).min().orElse(0);
            double max = results.stream().mapToDouble(r -> (double) r.get(ratio)).max().orElse(0);
            spread.put(ratio, Map.of("min", min, "max", max));
        }
        return spread;
    }
}
