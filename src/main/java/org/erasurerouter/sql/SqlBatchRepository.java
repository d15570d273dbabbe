package org.erasurerouter.sql;

import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The open batches of the jdbc store in the ledger database: camel-sql's JDBC aggregation repository, whose key scan
 * outlives an outage of that database. Camel 4.17 runs the aggregator's completion interval as a fixed-rate task that
 * does not catch what {@link #getKeys()} throws, and a fixed-rate task that throws is never run again: one failed scan
 * (the database restarting) would leave every later batch to complete by size alone, its requests QUEUED meanwhile.
 * A failed scan finds no batch instead; the next interval scans again.
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
            LOG.warn("open SQL batches in {} could not be read ({}); the next interval tries again", getRepositoryName(), e.getClass().getSimpleName());
            return Set.of();
        }
    }
}
