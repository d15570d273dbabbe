package org.erasurerouter;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.PropertiesComponent;
import org.erasurerouter.intake.EventValidator;
import org.erasurerouter.ledger.AppliedRequests;
import org.erasurerouter.ledger.BatchQueue;
import org.erasurerouter.ledger.ErasureLedger;
import org.erasurerouter.ledger.HierarchyLocks;
import org.erasurerouter.ledger.NameFingerprint;
import org.erasurerouter.reconcile.Reconciliation;
import org.erasurerouter.ledger.RecordRetry;
import org.apache.camel.component.es.ElasticsearchComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.erasurerouter.observe.ErasureMetrics;
import org.erasurerouter.observe.SafeRouteReload;
import org.erasurerouter.observe.StoreHealthCheck;
import org.erasurerouter.scrub.AssetRewrites;
import org.erasurerouter.scrub.FieldRewriter;
import org.erasurerouter.scrub.GraphAssets;
import org.erasurerouter.scrub.HierarchyScrubber;
import org.erasurerouter.scrub.SearchDocuments;
import org.erasurerouter.sql.SqlDialect;
import org.erasurerouter.sql.SqlSinks;
import org.erasurerouter.sql.TableRule;
import org.erasurerouter.sql.TableRules;
import java.util.List;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.erasurerouter.scrub.CacheEviction;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The shared clients the routes refer to by name; every setting comes from application.properties. */
public class RouterConfiguration implements CamelConfiguration {

    /**
     * One Neo4j driver for the whole runtime. camel-neo4j uses it for its endpoints; beans use it directly for
     * parameterised Cypher, which the component cannot run (it sends the body as a query without parameters).
     */
    @BindToRegistry(value = "neo4jDriver", beanPostProcess = true)
    public Driver neo4jDriver(@PropertyInject("erasure.neo4j.url") String url,
                              @PropertyInject("erasure.neo4j.username") String username,
                              @PropertyInject(value = "erasure.neo4j.password", defaultValue = "") String password) {
        return GraphDatabase.driver(url, password.isEmpty() ? AuthTokens.none() : AuthTokens.basic(username, password),
                Config.builder().withLogging(Logging.slf4j()).build());
    }

    /** The pooled connection to the ledger database (and, by default, the jdbc store's tables). */
    @BindToRegistry("erasureDataSource")
    public DataSource erasureDataSource(@PropertyInject("erasure.jdbc.url") String url,
                                        @PropertyInject(value = "erasure.jdbc.username", defaultValue = "") String username,
                                        @PropertyInject(value = "erasure.jdbc.password", defaultValue = "") String password,
                                        @PropertyInject(value = "erasure.jdbc.pool-size", defaultValue = "8") int poolSize) {
        return pool("erasure-jdbc", url, username, password, poolSize, poolSize);
    }

    /**
     * The pool of the database holding the SQL tables the jdbc store erases from (by default the ledger database).
     * Connects lazily and keeps no idle connection, so a runtime without the jdbc store holds none.
     */
    @BindToRegistry("erasureSinkDataSource")
    public DataSource erasureSinkDataSource(@PropertyInject("erasure.jdbc.sink-url") String url,
                                            @PropertyInject(value = "erasure.jdbc.sink-username", defaultValue = "") String username,
                                            @PropertyInject(value = "erasure.jdbc.sink-password", defaultValue = "") String password,
                                            @PropertyInject(value = "erasure.jdbc.sink-pool-size", defaultValue = "4") int poolSize) {
        return pool("erasure-sql-sinks", url, username, password, poolSize, 0);
    }

    /** A connection pool that connects lazily, so start-up never hangs on an unreachable database. */
    private static DataSource pool(String name, String url, String username, String password, int size, int minimumIdle) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(minimumIdle);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /**
     * Requests waiting for a batch of the jdbc store's SQL tables, in the ledger database like {@link #contentQueue}.
     */
    @BindToRegistry("sqlQueue")
    public BatchQueue sqlQueue(@BeanInject("erasureLedger") ErasureLedger ledger,
                               @PropertyInject("erasure.jdbc.queue-table") String name,
                               @PropertyInject("erasure.jdbc.batch-size") int size,
                               @PropertyInject("erasure.jdbc.batch-interval-ms") long interval,
                               @PropertyInject("erasure.jdbc.batch-recovery-interval-ms") long recoveryInterval) {
        return new BatchQueue(ledger, "erasure.jdbc.queue-table", name, size, interval, recoveryInterval).create();
    }

    /**
     * Requests to run again, one at a time: parked work replayed (POST /api/replays) and erasures reopened by
     * reconciliation. In the ledger database like {@link #contentQueue}, so a replay cut short by a crash is claimed
     * again by any instance once the recovery interval has passed.
     */
    @BindToRegistry("replayQueue")
    public BatchQueue replayQueue(@BeanInject("erasureLedger") ErasureLedger ledger,
                                  @PropertyInject("erasure.replay.queue-table") String name,
                                  @PropertyInject("erasure.replay.recovery-interval-ms") long recoveryInterval) {
        return new BatchQueue(ledger, "erasure.replay.queue-table", name, 1, 0, recoveryInterval).create();
    }

    /**
     * Deletions waiting for a batch of the content stores (Neo4j, Cassandra, Elasticsearch), in the ledger database:
     * a queued deletion survives a crash, and a batch claimed but not done within the recovery interval is claimed
     * again, by any instance.
     */
    @BindToRegistry("contentQueue")
    public BatchQueue contentQueue(@BeanInject("erasureLedger") ErasureLedger ledger,
                                   @PropertyInject("erasure.content.queue-table") String name,
                                   @PropertyInject("erasure.content.batch-size") int size,
                                   @PropertyInject("erasure.content.batch-interval-ms") long interval,
                                   @PropertyInject("erasure.content.batch-recovery-interval-ms") long recoveryInterval) {
        return new BatchQueue(ledger, "erasure.content.queue-table", name, size, interval, recoveryInterval).create();
    }

    /**
     * One Redis connection pool for the whole runtime, shared by camel-spring-redis endpoints ({@code
     * redisTemplate=#redisTemplate}) and the cache eviction bean. Keys and values are plain UTF-8 strings, as the
     * platform's cache writes them.
     */
    @BindToRegistry(value = "redisTemplate", beanPostProcess = true)
    public StringRedisTemplate redisTemplate(@PropertyInject("erasure.redis.host") String host,
                                             @PropertyInject("erasure.redis.port") int port,
                                             @PropertyInject(value = "erasure.redis.username", defaultValue = "") String username,
                                             @PropertyInject(value = "erasure.redis.password", defaultValue = "") String password,
                                             @PropertyInject(value = "erasure.redis.ssl", defaultValue = "false") boolean ssl) {
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(host, port);
        if (!username.isBlank()) {
            server.setUsername(username.trim());
        }
        if (!password.isEmpty()) {
            server.setPassword(password);
        }
        JedisClientConfiguration.JedisClientConfigurationBuilder client = JedisClientConfiguration.builder();
        client.usePooling();
        if (ssl) {
            client.useSsl();
        }
        JedisConnectionFactory connections = new JedisConnectionFactory(server, client.build());
        connections.afterPropertiesSet();
        connections.start();
        return new StringRedisTemplate(connections);
    }

    /** Evicts the cached copies of the user's assets and counts them. */
    @BindToRegistry("cacheEviction")
    public CacheEviction cacheEviction(@BeanInject("redisTemplate") StringRedisTemplate redisTemplate,
                                       @PropertyInject(value = "erasure.redis.metadata-key-prefix", defaultValue = "") String metadataPrefix,
                                       @PropertyInject(value = "erasure.redis.hierarchy-key-prefix", defaultValue = "hierarchy_") String hierarchyPrefix) {
        return new CacheEviction(redisTemplate, metadataPrefix, hierarchyPrefix);
    }

    /** Finds the request's assets in the graph a page at a time, with the collections containing them. */
    @BindToRegistry("graphAssets")
    public GraphAssets graphAssets(@BeanInject("neo4jDriver") Driver driver,
                                   @PropertyInject(value = "erasure.neo4j.database", defaultValue = "neo4j") String database,
                                   @PropertyInject("erasure.page-size") int pageSize,
                                   @PropertyInject("erasure.neo4j.label") String label,
                                   @PropertyInject("erasure.neo4j.identifier-property") String identifier,
                                   @PropertyInject("erasure.neo4j.child-relationship") String childRelationship,
                                   @PropertyInject(value = "erasure.draft-suffix", defaultValue = "") String draftSuffix) {
        return new GraphAssets(driver, database, pageSize, label, identifier, childRelationship, draftSuffix);
    }

    @BindToRegistry("hierarchyScrubber")
    public HierarchyScrubber hierarchyScrubber(@PropertyInject("erasure.cassandra.read-size") int readSize) {
        return new HierarchyScrubber(readSize);
    }

    /** The locks and write times that let every instance rewrite a hierarchy with a plain write (see HierarchyLocks). */
    @BindToRegistry("hierarchyLocks")
    public HierarchyLocks hierarchyLocks(@BeanInject("erasureDataSource") DataSource dataSource) {
        return new HierarchyLocks(dataSource);
    }

    @BindToRegistry("searchDocuments")
    public SearchDocuments searchDocuments() {
        return new SearchDocuments();
    }

    /** The engine of the API's platform-http routes, on the API port (see ApiHttpEngine for why). */
    @BindToRegistry("platform-http-engine")
    public ApiHttpEngine apiHttpEngine(@PropertyInject(value = "camel.server.port", defaultValue = "8080") int port) {
        return new ApiHttpEngine(port);
    }

    /** Refuses events that are not valid delete-user or ownership-transfer job requests, or larger than allowed. */
    @BindToRegistry("eventValidator")
    public EventValidator eventValidator(@PropertyInject(value = "erasure.intake.max-event-bytes", defaultValue = "1048576") int maxBytes) {
        return new EventValidator(maxBytes);
    }

    /** Which requests were already applied, shared by every instance through the ledger database. */
    @BindToRegistry("appliedRequests")
    public IdempotentRepository appliedRequests(@BeanInject("erasureDataSource") DataSource dataSource) {
        return new AppliedRequests(dataSource, "erasure-router");
    }

    /**
     * The erasure ledger; its tables are created on start (and start-up stops if the database cannot be reached).
     * (One argument only: Camel binds the beans that others inject in order of their argument count.)
     */
    @BindToRegistry("erasureLedger")
    public ErasureLedger erasureLedger(@BeanInject("erasureDataSource") DataSource dataSource) {
        ErasureLedger ledger = new ErasureLedger(dataSource);
        ledger.createSchema();
        return ledger;
    }

    /** Reconciliation runs over the ledger, one at a time across instances, and their reports. */
    @BindToRegistry("reconciliation")
    public Reconciliation reconciliation(@BeanInject("erasureDataSource") DataSource dataSource,
                                         @PropertyInject("erasure.pii.replacement") String replacement,
                                         @PropertyInject("erasure.reconcile.lock-wait-ms") long lockWait,
                                         @PropertyInject("erasure.page-size") int pageSize,
                                         @PropertyInject("erasure.reconcile.progress-every") long progressEvery) {
        return new Reconciliation(dataSource, replacement, lockWait, pageSize, progressEvery);
    }

    /** Marks a store FAILED in the ledger before each redelivery of its work. */
    @BindToRegistry("recordRetry")
    public RecordRetry recordRetry(@BeanInject("erasureLedger") ErasureLedger ledger,
                                   @BeanInject("erasureMetrics") ErasureMetrics metrics) {
        return new RecordRetry(ledger, metrics);
    }

    /** The metrics the micrometer endpoints cannot record (latency histogram, batch rows, failed attempts). */
    @BindToRegistry(value = "erasureMetrics", beanPostProcess = true)
    public ErasureMetrics erasureMetrics() {
        return new ErasureMetrics();
    }

    /**
     * The beans that need a family of keys: the field rules ({@code erasure.pii.fields.<searchKey>}) and the jdbc
     * store's tables ({@code erasure.jdbc.table.<name>.*}), which are checked against the database when the store is
     * enabled.
     */
    @Override
    public void configure(CamelContext context) {
        closeClientsOnStop(context);
        PropertiesComponent properties = context.getPropertiesComponent();
        FieldRewriter rewriter = FieldRewriter.fromSettings(piiFieldRules(properties),
                properties.resolveProperty("erasure.pii.replacement").orElse(null),
                properties.resolveProperty("erasure.pii.hash-secret").orElse(null));
        context.getRegistry().bind("sqlSinks", sqlSinks(context, rewriter));
        // names are fingerprinted with the hash secret, or without one with a key made once in the ledger database
        ErasureLedger ledger = context.getRegistry().lookupByNameAndType("erasureLedger", ErasureLedger.class);
        String secret = properties.resolveProperty("erasure.pii.hash-secret").orElse("");
        ledger.fingerprintWith(new NameFingerprint(secret.isBlank()
                ? ledger.storedFingerprintKey() : secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        context.getRegistry().bind("assetRewrites", new AssetRewrites(rewriter,
                properties.resolveProperty("erasure.transfer.owner-key").orElse("createdBy"),
                properties.resolveProperty("erasure.draft-suffix").orElse(""), ledger.fingerprints(),
                properties.resolveProperty("erasure.transfer.unit-marker").orElse("")));
        connectionSettings(properties, context);
        observe(properties, context);
    }

    /**
     * The connection settings a component takes only when set (an empty user or certificate path would be used as
     * one): Elasticsearch's authentication and TLS on its component, and Cassandra's TLS, reconnection back-off and
     * consistency level, which camel-cassandraql has no option for, through the DataStax driver's own settings (read
     * from system properties when its sessions are built).
     */
    private static void connectionSettings(PropertiesComponent properties, CamelContext context) {
        ElasticsearchComponent elasticsearch = context.getComponent("elasticsearch", ElasticsearchComponent.class);
        setting(properties, "erasure.elasticsearch.user").ifPresent(elasticsearch::setUser);
        setting(properties, "erasure.elasticsearch.password").ifPresent(elasticsearch::setPassword);
        setting(properties, "erasure.elasticsearch.ssl-certificate-path").ifPresent(elasticsearch::setCertificatePath);
        elasticsearch.setEnableSSL(setting(properties, "erasure.elasticsearch.ssl").map(Boolean::parseBoolean).orElse(false));
        if (setting(properties, "erasure.cassandra.ssl").map(Boolean::parseBoolean).orElse(false)) {
            String driver = "datastax-java-driver.advanced.ssl-engine-factory.";
            System.setProperty(driver + "class", "DefaultSslEngineFactory");
            System.setProperty(driver + "hostname-validation",
                    setting(properties, "erasure.cassandra.ssl-hostname-validation").orElse("true"));
            setting(properties, "erasure.cassandra.ssl-truststore-path").ifPresent(path -> System.setProperty(driver + "truststore-path", path));
            setting(properties, "erasure.cassandra.ssl-truststore-password").ifPresent(pw -> System.setProperty(driver + "truststore-password", pw));
        }
        // the driver's default back-off reaches 60 s: a node restarted after a long outage would be ignored that long
        setting(properties, "erasure.cassandra.reconnect-max-delay-ms").ifPresent(ms ->
                System.setProperty("datastax-java-driver.advanced.reconnection-policy.max-delay", ms + " milliseconds"));
        // reads that overlap writes: a pass reading after another wrote reads its write (HierarchyLocks)
        setting(properties, "erasure.cassandra.consistency").ifPresent(level ->
                System.setProperty("datastax-java-driver.basic.request.consistency", level));
    }

    private static java.util.Optional<String> setting(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    /**
     * Readiness per datastore the runtime needs (the enabled stores, the ledger database and the report bucket), the
     * batch queues' depth and, in staging, the safe hot reload of the routes folder with its own health check.
     */
    private static void observe(PropertiesComponent properties, CamelContext context) {
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        long timeout = setting(properties, "erasure.health.check-timeout-ms").map(Long::parseLong).orElse(5000L);
        java.util.Set<String> checked = new java.util.LinkedHashSet<>(ErasureLedger.names(setting(properties, "erasure.stores").orElse("")));
        checked.add("jdbc");
        checked.add("s3");
        checked.forEach(store -> health.register(new StoreHealthCheck(store, timeout)));
        // the batch queues' depth, registered once the context starts: camel-main binds the metrics registry by then
        ErasureMetrics metrics = context.getRegistry().lookupByNameAndType("erasureMetrics", ErasureMetrics.class);
        try {
            context.addStartupListener((started, alreadyStarted) -> {
                metrics.queue("content", context.getRegistry().lookupByNameAndType("contentQueue", BatchQueue.class));
                metrics.queue("sql", context.getRegistry().lookupByNameAndType("sqlQueue", BatchQueue.class));
                metrics.queue("replay", context.getRegistry().lookupByNameAndType("replayQueue", BatchQueue.class));
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the batch queues' metrics", e);
        }
        if (setting(properties, "erasure.routes.reload-enabled").map(Boolean::parseBoolean).orElse(false)) {
            SafeRouteReload reload = new SafeRouteReload(setting(properties, "erasure.routes.reload-directory").orElse("routes"),
                    setting(properties, "erasure.routes.reload-pattern").orElse("*.camel.yaml"), metrics);
            try {
                context.addService(reload);
            } catch (Exception e) {
                throw new IllegalStateException("cannot watch the routes folder for hot reload", e);
            }
            health.register(reload.healthCheck());
        }
    }

    /**
     * Closes the shared clients (connection pools, the graph driver, the cache's pool) when the runtime stops, also
     * after a failed start: Camel does not close the beans of its registry, and every runtime started and stopped in
     * one JVM would otherwise keep its database connections open.
     */
    private static void closeClientsOnStop(CamelContext context) {
        try {
            context.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    var registry = context.getRegistry();
                    registry.findByType(HikariDataSource.class).forEach(HikariDataSource::close);
                    registry.findByType(Driver.class).forEach(Driver::close);
                    registry.findByType(StringRedisTemplate.class).forEach(template -> {
                        if (template.getConnectionFactory() instanceof JedisConnectionFactory connections) {
                            connections.destroy();
                        }
                    });
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the clients' shutdown", e);
        }
    }

    /** The PII field rules: {@code erasure.pii.fields.<searchKey> = target[:strategy], …}, by search key. */
    static Map<String, String> piiFieldRules(PropertiesComponent properties) {
        String prefix = "erasure.pii.fields.";
        Properties fields = properties.loadProperties(key -> key.startsWith(prefix));
        Map<String, String> rules = new TreeMap<>();
        fields.stringPropertyNames().forEach(key -> rules.put(key.substring(prefix.length()), fields.getProperty(key)));
        return rules;
    }

    /** The jdbc store's tables, checked against the database when the store is enabled (none otherwise). */
    private static SqlSinks sqlSinks(CamelContext context, FieldRewriter rewriter) {
        PropertiesComponent properties = context.getPropertiesComponent();
        DataSource sinks = context.getRegistry().lookupByNameAndType("erasureSinkDataSource", DataSource.class);
        boolean enabled = ErasureLedger.names(properties.resolveProperty("erasure.stores").orElse("")).contains("jdbc");
        List<TableRule> tables = List.of();
        SqlDialect dialect = SqlDialect.POSTGRESQL;
        if (enabled) {
            Properties family = properties.loadProperties(key -> key.startsWith(TableRules.PREFIX));
            Map<String, String> settings = new TreeMap<>();
            family.stringPropertyNames().forEach(key -> settings.put(key, family.getProperty(key)));
            // -D system properties override the file for these keys as for every other key
            System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith(TableRules.PREFIX))
                    .forEach(key -> settings.put(key, System.getProperty(key)));
            tables = TableRules.fromSettings(settings);
            boolean secret = properties.resolveProperty("erasure.pii.hash-secret").filter(v -> !v.isBlank()).isPresent();
            for (TableRule table : tables) {
                if (table.hashes() && !secret) {
                    throw new InvalidSettingException(TableRules.PREFIX + table.name() + ".columns uses the hash strategy,"
                            + " but erasure.pii.hash-secret is empty (set ERASURE_PII_HASH_SECRET)");
                }
            }
            dialect = SqlDialect.of(properties.resolveProperty("erasure.jdbc.dialect").orElse("auto"),
                    properties.resolveProperty("erasure.jdbc.sink-url").orElse(""));
            TableRules.checkAgainst(sinks, tables);
        }
        return new SqlSinks(sinks, dialect, tables, new SqlDialect.Masks(rewriter.replacement(), rewriter::hash),
                Boolean.parseBoolean(properties.resolveProperty("erasure.jdbc.wait-for-mutations").orElse("true")));
    }
}
