package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsCheckTest {

    static Map<String, String> validSettings() {
        Map<String, String> s = new HashMap<>();
        s.put("erasure.kafka.brokers", "k1:9092,k2:9092");
        s.put("erasure.kafka.group-id", "erasure-router");
        s.put("erasure.kafka.topics", "delete.user");
        s.put("erasure.kafka.dead-letter-topic", "delete.user.dlq");
        s.put("erasure.stores", "neo4j,cassandra,elasticsearch,redis");
        s.put("erasure.neo4j.url", "bolt://graph:7687");
        s.put("erasure.neo4j.username", "neo4j");
        s.put("erasure.neo4j.label", "domain");
        s.put("erasure.neo4j.identifier-property", "IL_UNIQUE_ID");
        s.put("erasure.neo4j.child-relationship", "hasSequenceMember");
        s.put("erasure.page-size", "500");
        s.put("erasure.transfer.owner-key", "createdBy");
        s.put("erasure.cassandra.hosts", "cass1,cass2");
        s.put("erasure.cassandra.port", "9042");
        s.put("erasure.cassandra.datacenter", "datacenter1");
        s.put("erasure.cassandra.keyspace", "hierarchy_store");
        s.put("erasure.cassandra.table", "content_hierarchy");
        s.put("erasure.cassandra.reconnect-max-delay-ms", "5000");
        s.put("erasure.cassandra.consistency", "QUORUM");
        s.put("erasure.cassandra.read-size", "50");
        s.put("erasure.elasticsearch.hosts", "es:9200");
        s.put("erasure.elasticsearch.index", "compositesearch");
        s.put("erasure.elasticsearch.page-size", "1000");
        s.put("erasure.redis.host", "cache");
        s.put("erasure.redis.port", "6379");
        s.put("erasure.jdbc.url", "jdbc:postgresql://db/ledger");
        s.put("erasure.jdbc.sink-url", "jdbc:clickhouse://analytics:8123/event_sink");
        s.put("erasure.content.batch-size", "100");
        s.put("erasure.content.batch-interval-ms", "500");
        s.put("erasure.content.batch-poll-ms", "200");
        s.put("erasure.content.batch-recovery-interval-ms", "5000");
        s.put("erasure.content.queue-table", "erasure_content_queue");
        s.put("erasure.jdbc.batch-size", "100");
        s.put("erasure.jdbc.batch-interval-ms", "5000");
        s.put("erasure.jdbc.batch-poll-ms", "200");
        s.put("erasure.jdbc.batch-recovery-interval-ms", "5000");
        s.put("erasure.jdbc.queue-table", "erasure_sql_queue");
        s.put("erasure.replay.poll-ms", "1000");
        s.put("erasure.replay.recovery-interval-ms", "600000");
        s.put("erasure.replay.queue-table", "erasure_replay_queue");
        s.put("erasure.s3.endpoint", "https://s3.eu-west-1.amazonaws.com");
        s.put("erasure.s3.region", "eu-west-1");
        s.put("erasure.s3.bucket", "reports");
        s.put("erasure.reconcile.schedule-enabled", "true");
        s.put("erasure.reconcile.cron", "0+0+2+*+*+?");
        s.put("erasure.reconcile.requeue", "true");
        s.put("erasure.reconcile.lock-wait-ms", "60000");
        s.put("erasure.reconcile.progress-every", "1000");
        s.put("erasure.reconcile.part-size-bytes", "5242880");
        s.put("erasure.reconcile.object-type-property", "IL_FUNC_OBJECT_TYPE");
        s.put("erasure.s3.access-key", "AKIA-EXAMPLE");
        s.put("erasure.s3.secret-key", "example-secret");
        s.put("erasure.health.check-timeout-ms", "5000");
        s.put("erasure.routes.reload-enabled", "false");
        s.put("erasure.kafka.security-protocol", "SASL_SSL");
        s.put("erasure.cassandra.ssl", "false");
        s.put("erasure.elasticsearch.ssl", "true");
        s.put("erasure.redis.ssl", "false");
        return s;
    }

    /** The start-up problem of valid settings but for {@code key} set to {@code value}. */
    static String problemWith(String key, String value) {
        Map<String, String> settings = validSettings();
        settings.put(key, value);
        return problemWith(settings);
    }

    static String problemWith(Map<String, String> settings) {
        return assertThrows(InvalidSettingException.class,
                () -> SettingsCheck.check(k -> Optional.ofNullable(settings.get(k)))).getMessage();
    }

    @Test
    void acceptsACompleteConfiguration() {
        Map<String, String> s = validSettings();
        assertDoesNotThrow(() -> SettingsCheck.check(k -> Optional.ofNullable(s.get(k))));
    }

    @Test
    void namesAMissingSettingAndTheEnvironmentVariableThatSetsIt() {
        Map<String, String> s = validSettings();
        s.remove("erasure.jdbc.url");
        assertEquals("erasure.jdbc.url is missing (application.properties or ERASURE_JDBC_URL)", problemWith(s));
    }

    @Test
    void treatsABlankSettingAsMissing() {
        assertEquals("erasure.kafka.group-id is missing (application.properties or ERASURE_KAFKA_GROUP_ID)",
                problemWith("erasure.kafka.group-id", "  "));
    }

    @Test
    void rejectsAPortThatIsNotANumber() {
        assertEquals("erasure.redis.port is invalid: expected a port number (1-65535) but got 'six' "
                + "(application.properties or ERASURE_REDIS_PORT)", problemWith("erasure.redis.port", "six"));
    }

    @Test
    void rejectsBrokersWithoutAPort() {
        assertEquals("erasure.kafka.brokers is invalid: expected host:port[,host:port…] but got 'k2' "
                + "(application.properties or ERASURE_KAFKA_BROKERS)",
                problemWith("erasure.kafka.brokers", "k1:9092,k2"));
    }

    @Test
    void rejectsAGraphUrlWithTheWrongScheme() {
        assertEquals("erasure.neo4j.url is invalid: expected a bolt or neo4j or bolt+s or neo4j+s or bolt+ssc or neo4j+ssc URL "
                + "but got 'http://graph:7474' (application.properties or ERASURE_NEO4J_URL)",
                problemWith("erasure.neo4j.url", "http://graph:7474"));
    }

    @Test
    void reportsEveryProblemOnOneLine() {
        Map<String, String> s = validSettings();
        s.remove("erasure.s3.bucket");
        s.put("erasure.cassandra.port", "0");
        String problem = problemWith(s);
        assertEquals(1, problem.lines().count());
        assertEquals("erasure.cassandra.port is invalid: expected a port number (1-65535) but got '0' (application.properties or "
                + "ERASURE_CASSANDRA_PORT); erasure.s3.bucket is missing (application.properties or ERASURE_S3_BUCKET)", problem);
    }

    @Test
    void refusesAStoreItDoesNotKnow() {
        assertEquals("erasure.stores is invalid: unknown store 'mongodb'; the stores are neo4j, cassandra, elasticsearch, redis, jdbc"
                + " (application.properties or ERASURE_STORES)", problemWith("erasure.stores", "neo4j, mongodb"));
    }

    @Test
    void boundsTheSqlBatchSoAStatementStaysUnderTheDatabasesParameterLimits() {
        Map<String, String> s = validSettings();
        s.put("erasure.jdbc.batch-size", "20000");
        s.put("erasure.jdbc.queue-table", "batches; DROP TABLE x");
        assertEquals("erasure.jdbc.batch-size is invalid: expected a whole number from 1 to 4500 but got '20000'"
                + " (application.properties or ERASURE_JDBC_BATCH_SIZE); erasure.jdbc.queue-table is invalid: expected"
                + " a plain name (letters, digits, underscores, not starting with a digit) but got 'batches; DROP TABLE x'"
                + " (application.properties or ERASURE_JDBC_QUEUE_TABLE)", problemWith(s));
    }

    @Test
    void boundsTheContentBatchSoItsSearchStaysUnderElasticsearchsClauseLimit() {
        assertEquals("erasure.content.batch-size is invalid: expected a whole number from 1 to 500 but got '501'"
                + " (application.properties or ERASURE_CONTENT_BATCH_SIZE)",
                problemWith("erasure.content.batch-size", "501"));
    }

    @Test
    void boundsTheSearchPageByWhatElasticsearchAnswersInOnePage() {
        assertEquals("erasure.elasticsearch.page-size is invalid: expected a whole number from 1 to 10000 but got '10001'"
                + " (application.properties or ERASURE_ELASTICSEARCH_PAGE_SIZE)",
                problemWith("erasure.elasticsearch.page-size", "10001"));
    }

    @Test
    void checksTheSqlTablesDatabaseOnlyWhenTheJdbcStoreIsEnabled() {
        Map<String, String> s = validSettings();
        s.put("erasure.jdbc.sink-url", "clickhouse://analytics:8123");
        assertDoesNotThrow(() -> SettingsCheck.check(k -> Optional.ofNullable(s.get(k))));
        s.put("erasure.stores", "neo4j,jdbc");
        assertEquals("erasure.jdbc.sink-url is invalid: expected a jdbc: URL but got 'clickhouse://analytics:8123'"
                + " (application.properties or ERASURE_JDBC_SINK_URL)", problemWith(s));
    }

    @Test
    void refusesNamesThatWouldChangeAGraphOrCqlStatement() {
        Map<String, String> s = validSettings();
        s.put("erasure.neo4j.label", "domain) DETACH DELETE n //");
        s.put("erasure.page-size", "0");
        assertEquals("erasure.page-size is invalid: expected a whole number above 0 but got '0' (application.properties or"
                + " ERASURE_PAGE_SIZE); erasure.neo4j.label is invalid: expected a plain name (letters, digits, underscores,"
                + " not starting with a digit) but got 'domain) DETACH DELETE n //' (application.properties or"
                + " ERASURE_NEO4J_LABEL)", problemWith(s));
    }

    @Test
    void refusesAReconciliationScheduleThatIsNotACronExpression() {
        assertEquals("erasure.reconcile.cron is invalid: expected a Quartz cron expression (seconds minutes hours"
                + " day-of-month month day-of-week, + for spaces, e.g. 0+0+2+*+*+?) but got 'every night'"
                + " (application.properties or ERASURE_RECONCILE_CRON)",
                problemWith("erasure.reconcile.cron", "every night"));
    }

    @Test
    void refusesAReportPartSmallerThanS3Allows() {
        assertEquals("erasure.reconcile.part-size-bytes is invalid: expected a part size from 5242880 (5 MiB, S3's"
                + " minimum) to 536870912 bytes but got '1048576' (application.properties or"
                + " ERASURE_RECONCILE_PART_SIZE_BYTES)", problemWith("erasure.reconcile.part-size-bytes", "1048576"));
    }

    @Test
    void refusesASwitchThatIsNeitherTrueNorFalse() {
        assertEquals("erasure.reconcile.requeue is invalid: expected true or false but got 'yes'"
                + " (application.properties or ERASURE_RECONCILE_REQUEUE)",
                problemWith("erasure.reconcile.requeue", "yes"));
    }

    @Test
    void refusesACassandraConsistencyLevelAtWhichAReadMayMissTheLastWrite() {
        assertEquals("erasure.cassandra.consistency is invalid: expected one of QUORUM, LOCAL_QUORUM, ALL"
                + " but got 'LOCAL_ONE' (application.properties or ERASURE_CASSANDRA_CONSISTENCY)",
                problemWith("erasure.cassandra.consistency", "LOCAL_ONE"));
    }

    @Test
    void refusesAKafkaSecurityProtocolKafkaDoesNotKnow() {
        assertEquals("erasure.kafka.security-protocol is invalid: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"
                + " but got 'TLS' (application.properties or ERASURE_KAFKA_SECURITY_PROTOCOL)",
                problemWith("erasure.kafka.security-protocol", "TLS"));
    }

    @Test
    void refusesAMaskingStrategyItDoesNotKnow() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SettingsCheck.checkPiiFields(Map.of("createdBy", "creator:scramble"), "Deleted User", ""));
        assertEquals("erasure.pii.fields is invalid: unknown masking strategy 'scramble' for target field 'creator' of"
                + " search key 'createdBy'; expected replace, null or hash", e.getMessage());
    }

    @Test
    void refusesTheHashStrategyWithoutItsSecret() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SettingsCheck.checkPiiFields(Map.of("createdBy", "creator:hash"), "Deleted User", " "));
        assertEquals("erasure.pii.fields is invalid: target field 'creator' of search key 'createdBy' uses the hash"
                + " strategy, but no HMAC secret is configured (set erasure.pii.hash-secret, e.g. with ERASURE_PII_HASH_SECRET)",
                e.getMessage());
        assertDoesNotThrow(() -> SettingsCheck.checkPiiFields(Map.of("createdBy", "creator:hash"), "Deleted User", "k3y"));
    }
}
