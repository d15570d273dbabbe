package org.erasurerouter.ledger;

import java.sql.Timestamp;
import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;

/**
 * Which requests were already applied, shared by every instance through the ledger database: camel-sql's JDBC
 * idempotent repository (its table CAMEL_MESSAGEPROCESSED, created on start, keyed by processor and id), asked in one
 * statement per question. Camel's own asks each question in a transaction of its own, {@code contains} as a count and
 * a commit and {@code add} as a count, an insert and a commit: five round trips per event where two do. The insert
 * ignores an id already there (PostgreSQL's {@code ON CONFLICT DO NOTHING}), so two instances remembering the same
 * request at once answer "added" to one and "already there" to the other instead of failing on the primary key.
 */
public final class AppliedRequests extends JdbcMessageIdRepository {

    public AppliedRequests(DataSource dataSource, String processorName) {
        super(dataSource, processorName);
    }

    @Override
    public boolean contains(String requestId) {
        return queryForInt(requestId) > 0;
    }

    @Override
    public boolean add(String requestId) {
        return jdbcTemplate.update(getInsertString() + " ON CONFLICT DO NOTHING", getProcessorName(), requestId,
                new Timestamp(System.currentTimeMillis())) == 1;
    }
}
