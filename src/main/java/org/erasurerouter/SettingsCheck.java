package org.erasurerouter;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.erasurerouter.ledger.ErasureLedger;
import org.erasurerouter.scrub.FieldRewriter;

/**
 * Checks every connection setting before Camel builds a bean or a route, so that a missing or malformed key stops
 * start-up with one line naming it (and the environment variable that can set it).
 */
public final class SettingsCheck extends MainListenerSupport {

    /** How a setting's value must look; returns a problem, or null when the value is fine. */
    interface Rule extends Function<String, String> {}

    static final Rule TEXT = v -> null;
    static final Rule PORT = v -> {
        try {
            int p = Integer.parseInt(v.trim());
            return p > 0 && p < 65536 ? null : "expected a port number (1-65535) but got '" + v + "'";
        } catch (NumberFormatException e) {
            return "expected a port number (1-65535) but got '" + v + "'";
        }
    };
    static final Rule HOST_PORTS = v -> {
        for (String hp : v.split(",")) {
            String s = hp.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || PORT.apply(s.substring(colon + 1)) != null) {
                return "expected host:port[,host:port…] but got '" + s + "'";
            }
        }
        return null;
    };
    static Rule uri(String... schemes) {
        return v -> {
            try {
                String scheme = URI.create(v.trim()).getScheme();
                if (scheme != null && List.of(schemes).contains(scheme.toLowerCase(Locale.ROOT))) {
                    return null;
                }
            } catch (IllegalArgumentException malformed) {
                // fall through to the message below
            }
            return "expected a " + String.join(" or ", schemes) + " URL but got '" + v + "'";
        };
    }

    static final Rule STORES = v -> {
        for (String store : ErasureLedger.names(v)) {
            if (!ErasureLedger.STORES.contains(store)) {
                return "unknown store '" + store + "'; the stores are " + String.join(", ", ErasureLedger.STORES);
            }
        }
        return null;
    };

    static final Rule POSITIVE = v -> {
        try {
            return Integer.parseInt(v.trim()) > 0 ? null : "expected a whole number above 0 but got '" + v + "'";
        } catch (NumberFormatException e) {
            return "expected a whole number above 0 but got '" + v + "'";
        }
    };

    /** A name written into a Cypher or CQL statement (values never are): letters, digits and underscores. */
    static final Rule NAME = v -> v.trim().matches("[A-Za-z_][A-Za-z0-9_]*") ? null
            : "expected a plain name (letters, digits, underscores, not starting with a digit) but got '" + v + "'";

    /** A whole number from 1 to {@code max}. */
    static Rule upTo(int max) {
        return v -> POSITIVE.apply(v) != null || Integer.parseInt(v.trim()) > max
                ? "expected a whole number from 1 to " + max + " but got '" + v + "'" : null;
    }

    /**
     * Users per SQL statement: bounded, so a statement stays under the databases' limits on bound parameters (a batch
     * holds at most this many).
     */
    static final Rule BATCH_SIZE = upTo(4500);

    /** A content batch's search names every member under every search key: Elasticsearch allows 1024 clauses. */
    static final Rule CONTENT_BATCH_SIZE = upTo(500);

    /** Hits per search page: Elasticsearch answers at most 10,000 (index.max_result_window). */
    static final Rule SEARCH_PAGE_SIZE = upTo(10_000);

    static final Rule JDBC_URL = v -> v.trim().startsWith("jdbc:") ? null : "expected a jdbc: URL but got '" + v + "'";

    static Rule oneOf(String... values) {
        return v -> List.of(values).contains(v.trim()) ? null
                : "expected one of " + String.join(", ", values) + " but got '" + v + "'";
    }

    static final Rule BOOLEAN = v -> v.trim().matches("true|false") ? null : "expected true or false but got '" + v + "'";

    /** A Quartz cron expression, written with + for spaces as in an endpoint URI. */
    static final Rule CRON = v -> org.quartz.CronExpression.isValidExpression(v.trim().replace('+', ' ')) ? null
            : "expected a Quartz cron expression (seconds minutes hours day-of-month month day-of-week, + for spaces,"
            + " e.g. 0+0+2+*+*+?) but got '" + v + "'";

    /** S3 refuses parts under 5 MiB (but the last), and the part is what the upload holds in memory. */
    static final Rule PART_SIZE = v -> {
        try {
            long size = Long.parseLong(v.trim());
            return size >= 5L * 1024 * 1024 && size <= 512L * 1024 * 1024 ? null
                    : "expected a part size from 5242880 (5 MiB, S3's minimum) to 536870912 bytes but got '" + v + "'";
        } catch (NumberFormatException e) {
            return "expected a part size in bytes but got '" + v + "'";
        }
    };

    /** A setting the runtime cannot start without. */
    record Required(String key, Rule rule) {}

    /** The required settings, in the order application.properties documents them. */
    static final List<Required> REQUIRED = List.of(
            new Required("erasure.kafka.brokers", HOST_PORTS),
            new Required("erasure.kafka.group-id", TEXT),
            new Required("erasure.kafka.topics", TEXT),
            new Required("erasure.kafka.dead-letter-topic", TEXT),
            new Required("erasure.stores", STORES),
            new Required("erasure.page-size", POSITIVE),
            new Required("erasure.transfer.owner-key", NAME),
            new Required("erasure.neo4j.url", uri("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc")),
            new Required("erasure.neo4j.username", TEXT),
            new Required("erasure.neo4j.label", NAME),
            new Required("erasure.neo4j.identifier-property", NAME),
            new Required("erasure.neo4j.child-relationship", NAME),
            new Required("erasure.cassandra.hosts", TEXT),
            new Required("erasure.cassandra.port", PORT),
            new Required("erasure.cassandra.datacenter", TEXT),
            new Required("erasure.cassandra.keyspace", NAME),
            new Required("erasure.cassandra.table", NAME),
            new Required("erasure.cassandra.reconnect-max-delay-ms", POSITIVE),
            new Required("erasure.cassandra.consistency", oneOf("QUORUM", "LOCAL_QUORUM", "ALL")),
            new Required("erasure.cassandra.read-size", POSITIVE),
            new Required("erasure.elasticsearch.hosts", HOST_PORTS),
            new Required("erasure.elasticsearch.index", TEXT),
            new Required("erasure.elasticsearch.page-size", SEARCH_PAGE_SIZE),
            new Required("erasure.redis.host", TEXT),
            new Required("erasure.redis.port", PORT),
            new Required("erasure.jdbc.url", JDBC_URL),
            new Required("erasure.content.batch-size", CONTENT_BATCH_SIZE),
            new Required("erasure.content.batch-interval-ms", POSITIVE),
            new Required("erasure.content.batch-poll-ms", POSITIVE),
            new Required("erasure.content.batch-recovery-interval-ms", POSITIVE),
            new Required("erasure.content.queue-table", NAME),
            new Required("erasure.jdbc.batch-size", BATCH_SIZE),
            new Required("erasure.jdbc.batch-interval-ms", POSITIVE),
            new Required("erasure.jdbc.batch-poll-ms", POSITIVE),
            new Required("erasure.jdbc.batch-recovery-interval-ms", POSITIVE),
            new Required("erasure.jdbc.queue-table", NAME),
            new Required("erasure.replay.poll-ms", POSITIVE),
            new Required("erasure.replay.recovery-interval-ms", POSITIVE),
            new Required("erasure.replay.queue-table", NAME),
            new Required("erasure.s3.endpoint", uri("http", "https")),
            new Required("erasure.s3.region", TEXT),
            new Required("erasure.s3.bucket", TEXT),
            new Required("erasure.s3.access-key", TEXT),
            new Required("erasure.s3.secret-key", TEXT),
            new Required("erasure.reconcile.schedule-enabled", BOOLEAN),
            new Required("erasure.reconcile.cron", CRON),
            new Required("erasure.reconcile.requeue", BOOLEAN),
            new Required("erasure.reconcile.lock-wait-ms", POSITIVE),
            new Required("erasure.reconcile.progress-every", POSITIVE),
            new Required("erasure.reconcile.part-size-bytes", PART_SIZE),
            new Required("erasure.reconcile.object-type-property", NAME),
            new Required("erasure.health.check-timeout-ms", POSITIVE),
            new Required("erasure.routes.reload-enabled", BOOLEAN),
            new Required("erasure.kafka.security-protocol", oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")),
            new Required("erasure.cassandra.ssl", BOOLEAN),
            new Required("erasure.elasticsearch.ssl", BOOLEAN),
            new Required("erasure.redis.ssl", BOOLEAN));

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        check(properties::resolveProperty);
        checkPiiFields(RouterConfiguration.piiFieldRules(properties), properties.resolveProperty("erasure.pii.replacement").orElse(null),
                properties.resolveProperty("erasure.pii.hash-secret").orElse(null));
    }

    /** The PII field rules ({@code erasure.pii.fields.<searchKey>}) must parse, and a hash rule needs its secret. */
    static void checkPiiFields(Map<String, String> rules, String replacement, String hashSecret) {
        try {
            FieldRewriter.fromSettings(rules, replacement, hashSecret);
        } catch (IllegalArgumentException e) {
            String hint = e.getMessage().contains("no HMAC secret") ? " (set erasure.pii.hash-secret, e.g. with ERASURE_PII_HASH_SECRET)" : "";
            throw new InvalidSettingException("erasure.pii.fields is invalid: " + e.getMessage() + hint);
        }
    }

    /** Throws for the first missing or malformed required setting. */
    static void check(Function<String, Optional<String>> settings) {
        List<String> problems = new ArrayList<>();
        for (Required required : REQUIRED) {
            Optional<String> value = settings.apply(required.key()).filter(v -> !v.isBlank());
            String problem = value.isEmpty() ? "is missing" : required.rule().apply(value.get());
            if (problem != null) {
                String what = value.isEmpty() ? problem : "is invalid: " + problem;
                problems.add(required.key() + " " + what + " (application.properties or " + envName(required.key()) + ")");
            }
        }
        // the jdbc store's database defaults to the ledger's, so it is only looked at when the store is used
        boolean jdbc = settings.apply("erasure.stores").map(v -> ErasureLedger.names(v).contains("jdbc")).orElse(false);
        String sinkUrl = settings.apply("erasure.jdbc.sink-url").orElse("");
        if (jdbc && problems.isEmpty() && JDBC_URL.apply(sinkUrl) != null) {
            problems.add("erasure.jdbc.sink-url is invalid: " + JDBC_URL.apply(sinkUrl) + " (application.properties or "
                    + envName("erasure.jdbc.sink-url") + ")");
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(String.join("; ", problems));
        }
    }

    /** The environment variable Camel reads for a key: upper case, dots and dashes as underscores. */
    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
