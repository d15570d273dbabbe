package org.erasurerouter.servers;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Real Kafka, PostgreSQL, Redis, S3, Neo4j, Cassandra and Elasticsearch servers, started once per JVM, in parallel,
 * on free ports. As a JUnit 5 extension it stops them when the test run ends; the {@link Reaper} stops them if the
 * JVM dies first. Tests isolate themselves by unique names (topics, keyspaces, indices, key prefixes, buckets).
 */
public final class RealServers implements BeforeAllCallback {
    private static RealServers running;

    private final Path dir;
    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    private KafkaServer kafka;
    private PostgresServer postgres;
    private RedisServer redis;
    private S3Server s3;
    private Neo4jServer neo4j;
    private CassandraServer cassandra;
    private ElasticsearchServer elasticsearch;

    private RealServers(Path dir) {
        this.dir = dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // the root store closes its resources once, when the whole test run is over
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(RealServers.class, k -> {
            startAll();
            return (ExtensionContext.Store.CloseableResource) RealServers::stopAll;
        });
    }

    /** JUnit needs a public no-argument constructor; the servers themselves are per JVM. */
    public RealServers() {
        this(null);
    }

    /** Starts every server unless they are running already, and returns them. */
    public static synchronized RealServers startAll() {
        if (running == null) {
            Path serversDir = Path.of(System.getProperty("servers.dir", "target/servers")).toAbsolutePath();
            try {
                Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
                Path runDir = Files.createTempDirectory(Files.createDirectories(serversDir), "run-");
                RealServers servers = new RealServers(runDir);
                servers.start(serversDir);
                running = servers;
            } catch (Exception e) {
                throw new IllegalStateException("real servers did not start: " + e.getMessage(), e);
            }
        }
        return running;
    }

    /** The running servers; fails when none were started. */
    public static synchronized RealServers get() {
        if (running == null) {
            throw new IllegalStateException("no real servers: add @ExtendWith(RealServers.class)");
        }
        return running;
    }

    private void start(Path serversDir) throws Exception {
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try {
            Future<CassandraServer> c = pool.submit(timed("cassandra", () -> CassandraServer.start(serversDir, dir.resolve("cassandra"))));
            Future<ElasticsearchServer> e = pool.submit(timed("elasticsearch", () -> ElasticsearchServer.start(
                    Path.of(System.getProperty("es.home", serversDir.resolve("es-home").toString())), dir.resolve("elasticsearch"))));
            Future<S3Server> s = pool.submit(timed("s3", () -> S3Server.start(serversDir, dir.resolve("s3"))));
            Future<Neo4jServer> n = pool.submit(timed("neo4j", () -> Neo4jServer.start(dir.resolve("neo4j"))));
            Future<KafkaServer> k = pool.submit(timed("kafka", () -> KafkaServer.start(dir.resolve("kafka"))));
            Future<PostgresServer> p = pool.submit(timed("postgres", () -> PostgresServer.start(dir.resolve("postgres"))));
            Future<RedisServer> r = pool.submit(timed("redis", RedisServer::start));
            List<Exception> failures = new ArrayList<>();
            kafka = await(k, failures);
            postgres = await(p, failures);
            redis = await(r, failures);
            s3 = await(s, failures);
            neo4j = await(n, failures);
            cassandra = await(c, failures);
            elasticsearch = await(e, failures);
            if (!failures.isEmpty()) {
                stopAll();
                Exception first = failures.get(0);
                failures.stream().skip(1).forEach(first::addSuppressed);
                throw first;
            }
        } finally {
            pool.shutdown();
        }
        System.out.printf("[real-servers] all seven up in %d ms under %s%n", (System.nanoTime() - t0) / 1_000_000, dir);
    }

    private <T extends AutoCloseable> Callable<T> timed(String name, Callable<T> start) {
        return () -> {
            long t0 = System.nanoTime();
            T server = start.call();
            started.add(server);
            System.out.printf("[real-servers] %s up in %d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
            return server;
        };
    }

    private static <T> T await(Future<T> future, List<Exception> failures) {
        try {
            return future.get();
        } catch (Exception e) {
            failures.add(e.getCause() instanceof Exception cause ? cause : e);
            return null;
        }
    }

    private static synchronized void stopAll() {
        RealServers servers = running;
        running = null;
        if (servers != null) {
            servers.stop();
        }
    }

    private void stop() {
        long t0 = System.nanoTime();
        List<AutoCloseable> toStop = new ArrayList<>(started);
        Collections.reverse(toStop);
        toStop.parallelStream().forEach(server -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("[real-servers] stopping " + server.getClass().getSimpleName() + " failed: " + e);
            }
        });
        System.out.printf("[real-servers] all stopped in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * For programs outside JUnit, like the local stack: on JVM exit, runs {@code first} (stopping whatever uses the
     * servers) and then stops the servers, in one hook so the order holds.
     */
    public static void stopOnExit(Runnable first) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                first.run();
            } finally {
                stopAll();
            }
        }, "real-servers-stop"));
    }

    /** The runtime settings (application.properties keys) that point Erasure Router at these servers. */
    public Properties runtimeProperties() {
        Map<String, String> p = new TreeMap<>();
        p.put("erasure.kafka.brokers", kafka.bootstrap);
        p.put("erasure.neo4j.url", neo4j.boltUrl());
        p.put("erasure.neo4j.password", "");
        p.put("erasure.cassandra.hosts", "127.0.0.1");
        p.put("erasure.cassandra.port", Integer.toString(cassandra.port));
        p.put("erasure.cassandra.datacenter", "datacenter1");
        p.put("erasure.elasticsearch.hosts", "127.0.0.1:" + elasticsearch.port);
        p.put("erasure.redis.host", "127.0.0.1");
        p.put("erasure.redis.port", Integer.toString(redis.port));
        p.put("erasure.jdbc.url", postgres.jdbcUrl());
        p.put("erasure.jdbc.username", "postgres");
        p.put("erasure.jdbc.password", "postgres");
        p.put("erasure.s3.endpoint", s3.endpoint);
        // S3Mock accepts any signed request; real stores take their keys from the environment or the secrets file
        p.put("erasure.s3.access-key", "local-stack");
        p.put("erasure.s3.secret-key", "local-stack-secret");
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /** The stores an outage can be put on, by the names the runtime's settings give them. */
    public static final List<String> OUTAGE_STORES = List.of("neo4j", "cassandra", "elasticsearch", "redis", "postgres");

    /**
     * Stops a store (one of {@link #OUTAGE_STORES}) until the returned handle is closed, which starts it again on the
     * same port: with its data, except Redis, which keeps none (a restarted cache is empty).
     */
    public AutoCloseable outage(String store) throws Exception {
        Restartable server = switch (store) {
            case "neo4j" -> neo4j;
            case "cassandra" -> cassandra;
            case "elasticsearch" -> elasticsearch;
            case "redis" -> redis;
            case "postgres" -> postgres;
            default -> throw new IllegalArgumentException("no outage for " + store + "; one of " + OUTAGE_STORES);
        };
        server.pause();
        return server::resume;
    }

    /** Stops the Kafka broker until the returned handle is closed, which starts it again with its log. */
    public AutoCloseable kafkaRestart() {
        kafka.pause();
        return kafka::resume;
    }

    public String kafkaBootstrap() {
        return kafka.bootstrap;
    }

    public String neo4jBoltUrl() {
        return neo4j.boltUrl();
    }

    public int cassandraPort() {
        return cassandra.port;
    }

    public String elasticsearchUrl() {
        return elasticsearch.url();
    }

    public int redisPort() {
        return redis.port;
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public String s3Endpoint() {
        return s3.endpoint;
    }

    /** An S3 client for the test server (it accepts any credentials); the caller closes it. */
    public S3Client s3Client() {
        return S3Client.builder().endpointOverride(URI.create(s3.endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(AnonymousCredentialsProvider.create()).build();
    }
}
