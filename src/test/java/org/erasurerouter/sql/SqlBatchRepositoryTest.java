package org.erasurerouter.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.TransactionException;

class SqlBatchRepositoryTest {
    /** Port 1 on the loopback: nothing listens, as when the ledger database is restarting. */
    private static final DriverManagerDataSource UNREACHABLE = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/ledger");

    @Test
    void findsNoBatchInsteadOfFailingTheIntervalCheckWhenTheLedgerDatabaseIsUnreachable() {
        SqlBatchRepository batches = new SqlBatchRepository(UNREACHABLE, "batches");
        batches.init();
        assertEquals(Set.of(), batches.getKeys());
    }

    @Test
    void camelsOwnRepositoryThrowsThere() {
        JdbcAggregationRepository plain = new JdbcAggregationRepository(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(UNREACHABLE), "batches", UNREACHABLE);
        plain.init();
        assertThrows(TransactionException.class, plain::getKeys);
    }
}
