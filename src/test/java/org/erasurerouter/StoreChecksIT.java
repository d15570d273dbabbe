package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;
import org.erasurerouter.servers.FreePorts;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import redis.clients.jedis.Jedis;
import software.amazon.awssdk.services.s3.S3Client;

/** Each store check route reaches its real server through its Camel component. */
@ExtendWith(RealServers.class)
class StoreChecksIT {
    static final String BUCKET = "checks-" + UUID.randomUUID();
    static RunningRouter router;

    @BeforeAll
    static void startRouter() {
        router = RunningRouter.start(Map.of("erasure.kafka.topics", "checks-" + UUID.randomUUID(), "erasure.s3.bucket", BUCKET));
    }

    @AfterAll
    static void stopRouter() throws Exception {
        router.close();
    }

    StoreCheck check(String store) {
        return router.template().requestBody("direct:check-" + store, null, StoreCheck.class);
    }

    @Test
    void samplesAContentNodeFromNeo4jThroughCamelNeo4j() {
        try (Driver driver = GraphDatabase.driver(RealServers.get().neo4jBoltUrl(), AuthTokens.none())) {
            driver.executableQuery("CREATE (:domain {IL_UNIQUE_ID: $id})").withParameters(Map.of("id", "do_" + UUID.randomUUID())).execute();
        }
        assertEquals(new StoreCheck("neo4j", true, "1 content node(s) sampled"), check("neo4j"));
    }

    @Test
    void readsTheCassandraReleaseThroughCamelCql() {
        assertEquals(new StoreCheck("cassandra", true, "Cassandra 5.0.9"), check("cassandra"));
    }

    @Test
    void pingsElasticsearchThroughCamelElasticsearch() {
        assertEquals(new StoreCheck("elasticsearch", true, "ping answered true"), check("elasticsearch"));
    }

    @Test
    void writesAndReadsBackARedisKeyThroughCamelSpringRedis() {
        StoreCheck result = check("redis");
        try (Jedis jedis = new Jedis("127.0.0.1", RealServers.get().redisPort())) {
            String stored = jedis.get("erasure-router:check");
            assertEquals(new StoreCheck("redis", true, "check key read back: " + stored), result);
            assertTrue(jedis.ttl("erasure-router:check") > 0, "the check key expires");
        }
    }

    @Test
    void readsThePostgresVersionThroughCamelJdbc() {
        StoreCheck result = check("jdbc");
        assertTrue(result.reached() && result.detail().startsWith("PostgreSQL 17."), result::toString);
    }

    @Test
    void findsTheReportBucketThroughCamelAws2S3() {
        assertEquals(new StoreCheck("s3", true, "bucket " + BUCKET + " answers"), check("s3"));
        try (S3Client s3 = RealServers.get().s3Client()) {
            assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(BUCKET)), "bucket created on the real server");
        }
    }

    @Test
    void reportsAStoreThatDoesNotAnswerAsUnreachableInsteadOfFailing() throws Exception {
        int closedPort = FreePorts.next();
        try (RunningRouter broken = RunningRouter.start(Map.of("erasure.kafka.topics", "checks-" + UUID.randomUUID(),
                "erasure.redis.port", Integer.toString(closedPort)))) {
            StoreCheck result = broken.template().requestBody("direct:check-redis", null, StoreCheck.class);
            assertEquals("redis", result.store());
            assertFalse(result.reached());
            assertTrue(result.detail().contains("127.0.0.1:" + closedPort), result::toString);
        }
    }

    @Test
    void aTableOrColumnTheDatabaseLacksStopsStartUpWithAMessageNamingIt() throws Exception {
        try (var db = java.sql.DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres")) {
            db.createStatement().execute("CREATE TABLE IF NOT EXISTS checked_profile (user_id text, name text)");
        }
        Map<String, String> wrong = Map.of("erasure.kafka.topics", "checks-" + UUID.randomUUID(), "erasure.stores", "neo4j,jdbc",
                "erasure.jdbc.table.a.table", "checked_profile", "erasure.jdbc.table.a.user-column", "userid",
                "erasure.jdbc.table.b.table", "public.checked_profiles",
                "erasure.jdbc.table.c.table", "checked_profile", "erasure.jdbc.table.c.action", "obfuscate",
                "erasure.jdbc.table.c.columns", "name, mail:hash", "erasure.pii.hash-secret", "s3cret");
        IllegalStateException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RunningRouter.start(wrong));
        InvalidSettingException invalid = InvalidSettingException.findIn(failed);
        assertEquals("the jdbc store's tables are not in the database: erasure.jdbc.table.a.table 'checked_profile' has no"
                + " column 'userid'; erasure.jdbc.table.b.table 'public.checked_profiles' does not exist;"
                + " erasure.jdbc.table.c.table 'checked_profile' has no column 'mail'",
                invalid == null ? String.valueOf(failed) : invalid.getMessage());

        try (RunningRouter valid = RunningRouter.start(Map.of("erasure.kafka.topics", "checks-" + UUID.randomUUID(),
                "erasure.stores", "neo4j,jdbc", "erasure.jdbc.table.a.table", "checked_profile",
                "erasure.jdbc.table.b.table", "public.Checked_Profile", "erasure.jdbc.table.b.user-column", "USER_ID",
                "erasure.jdbc.table.b.action", "obfuscate", "erasure.jdbc.table.b.columns", "Name:null"))) {
            assertTrue(valid.context().isStarted(), "existing tables and columns pass, in any letter case");
        }
    }

    @Test
    void aHashedColumnWithoutTheSecretStopsStartUpWithAMessageNamingIt() {
        IllegalStateException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RunningRouter.start(Map.of("erasure.kafka.topics", "checks-" + UUID.randomUUID(),
                        "erasure.stores", "neo4j,jdbc", "erasure.jdbc.table.p.table", "checked_profile",
                        "erasure.jdbc.table.p.action", "obfuscate", "erasure.jdbc.table.p.columns", "name:hash")));
        InvalidSettingException invalid = InvalidSettingException.findIn(failed);
        assertEquals("erasure.jdbc.table.p.columns uses the hash strategy, but erasure.pii.hash-secret is empty"
                + " (set ERASURE_PII_HASH_SECRET)", invalid == null ? causes(failed) : invalid.getMessage());
    }

    private static String causes(Throwable failed) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failed; t != null; t = t.getCause()) {
            chain.append(t).append(" <- ");
        }
        return chain.toString();
    }
}
