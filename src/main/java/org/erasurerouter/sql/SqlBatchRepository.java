package org.erasurerouter.sql;

import java.util.LinkedHashSet;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Open batches (of the jdbc store, or of deletions for the content stores) in the ledger database: camel-sql's JDBC
 * aggregation repository, shared by every instance, with two changes.
 * <ul>
 * <li>Its key scan outlives an outage of that database. Camel 4.17 runs the aggregator's completion interval as a
 * fixed-rate task that does not catch what {@link #getKeys()} throws, and a fixed-rate task that throws is never run
 * again: one failed scan (the database restarting) would leave every later batch to complete by size alone. A failed
 * scan finds no batch instead; the next interval scans again.</li>
 * <li>A batch is recovered (run again) only once it has been carried out for longer than the recovery interval. Camel
 * recovers every batch handed on but not confirmed that this instance is not carrying out itself, so with several
 * instances each would run the others' batches a second time. The completed table's {@code handed_on} column (see
 * {@code ErasureLedger#createBatchRepository}) is when a batch was handed on, or last recovered.</li>
 * </ul>
 */
public final class SqlBatchRepository extends JdbcAggregationRepository {
    private static final Logger LOG = LoggerFactory.getLogger(SqlBatchRepository.class);

    public SqlBatchRepository(DataSource dataSource, String name) {
        super(new DataSourceTransactionManager(dataSource), name, dataSource);
    }

    @Override
    public Set<String> getKeys() {
        try {
            return super.getKeys();
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
