package org.erasurerouter.sql;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Open batches of the jdbc store in the ledger database: camel-sql's JDBC aggregation repository, shared by every
 * instance, made safe for several instances and for outages of that database.
 * <ul>
 * <li>Each instance gathers into a batch of its own ({@link #ownKey()}, the aggregator's correlation) and completes only
 * its own batches, plus any other instance's open batch older than the recovery interval (that instance died), which
 * it first takes over with one atomic rename. In Camel 4.17 two instances completing one shared batch race in the
 * repository, and the loser's completion-interval task throws; a fixed-rate task that throws is never run again, so
 * that instance would complete no batch by interval any more.</li>
 * <li>For the same reason a failed key scan (the database restarting) finds no batch instead of throwing; the next
 * interval scans again.</li>
 * <li>A batch handed on is recovered (run again) only once it has been carried out for longer than the recovery
 * interval: Camel recovers every unconfirmed batch this instance is not running, so instances would run each other's
 * batches a second time. {@code handed_on} (see {@code ErasureLedger#createBatchRepository}) is when a batch was handed
 * on, or last recovered.</li>
 * </ul>
 */
public final class SqlBatchRepository extends JdbcAggregationRepository {
    private static final Logger LOG = LoggerFactory.getLogger(SqlBatchRepository.class);

    private final String ownKey;
    private final String selectOpen;

    public SqlBatchRepository(DataSource dataSource, String name) {
        super(new DataSourceTransactionManager(dataSource), name, dataSource);
        this.ownKey = name + "-" + UUID.randomUUID();
        this.selectOpen = "SELECT " + EXCHANGE + ", " + VERSION + " FROM " + name + " WHERE " + ID + " = ?";
    }

    /** The key of this instance's open batch: the aggregator's correlation expression. */
    public String ownKey() {
        return ownKey;
    }

    /**
     * An open batch, read with one statement outside any transaction: Camel's reads it in a read-only transaction of
     * its own, a BEGIN and a COMMIT more for every request queued (the aggregator reads the batch before each add), and
     * one row read by its key is consistent by itself.
     */
    @Override
    public Exchange get(CamelContext context, String key) {
        List<Map<String, Object>> rows = jdbcTemplate.queryForList(selectOpen, key);
        if (rows.isEmpty()) {
            return null;
        }
        try {
            Exchange batch = jdbcCamelCodec.unmarshallExchange(context, (byte[]) rows.get(0).get(EXCHANGE), getDeserializationFilter());
            batch.setProperty(VERSION_PROPERTY, ((Number) rows.get(0).get(VERSION)).longValue());
            return batch;
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("the open batch " + key + " in " + getRepositoryName() + " could not be read", e);
        }
    }

    /** This instance's open batches, after taking over those other instances left open too long. */
    @Override
    public Set<String> getKeys() {
        try {
            jdbcTemplate.update("UPDATE " + getRepositoryName() + " SET id = ? || ':' || md5(id) WHERE id NOT LIKE ? || '%'"
                    + " AND created_at < now() - ? * interval '1 millisecond'", ownKey, ownKey, getRecoveryInterval());
            return new LinkedHashSet<>(jdbcTemplate.queryForList("SELECT id FROM " + getRepositoryName() + " WHERE id LIKE ? || '%'",
                    String.class, ownKey));
        } catch (RuntimeException e) {
            LOG.warn("open batches in {} could not be read ({}); the next interval tries again", getRepositoryName(), e.getClass().getSimpleName());
            return Set.of();
        }
    }

    /** The batches handed on longer ago than the recovery interval and not confirmed: their instance died, or parking failed. */
    @Override
    public Set<String> scan(CamelContext context) {
        try {
            return new LinkedHashSet<>(jdbcTemplate.queryForList("SELECT id FROM " + getRepositoryNameCompleted()
                    + " WHERE handed_on < now() - ? * interval '1 millisecond'", String.class, getRecoveryInterval()));
        } catch (RuntimeException e) {
            LOG.warn("batches being carried out in {} could not be read ({}); the next scan tries again", getRepositoryNameCompleted(),
                    e.getClass().getSimpleName());
            return Set.of();
        }
    }

    /** Recovers a batch, taking it over for another recovery interval, so no other instance recovers it meanwhile. */
    @Override
    public Exchange recover(CamelContext context, String exchangeId) {
        jdbcTemplate.update("UPDATE " + getRepositoryNameCompleted() + " SET handed_on = now() WHERE id = ?", exchangeId);
        return super.recover(context, exchangeId);
    }
}
