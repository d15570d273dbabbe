package org.erasurerouter.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.scrub.CopiesRemainException;

/**
 * Erases a batch of users from the SQL tables of the jdbc store: per table, the rows are counted per user, then one
 * statement deletes or masks them for the whole batch; the batch's tables share one transaction where the database
 * has them. After the commit every table is re-read, and any row left fails the batch (it is retried, then parked).
 *
 * <p>A bean with the JDBC driver rather than camel-jdbc: the statements of a batch must share one transaction and are
 * written for the batch's users in the database's dialect, while camel-jdbc commits each statement on its own.
 */
public class SqlSinks {

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final List<TableRule> rules;
    private final SqlDialect.Masks masks;
    private final boolean waitForMutations;

    public SqlSinks(DataSource dataSource, SqlDialect dialect, List<TableRule> rules, SqlDialect.Masks masks,
                    boolean waitForMutations) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.rules = List.copyOf(rules);
        this.masks = masks;
        this.waitForMutations = waitForMutations;
    }

    /**
     * Erases the requests' users from every table and proves it; answers the rows changed per request id (every
     * request of the batch is in the answer, with 0 when it had no rows).
     *
     * @throws CopiesRemainException when the re-read still finds rows of the batch's users
     * @throws SQLException          when the database fails (nothing is committed on a transactional database)
     */
    public Map<String, Integer> erase(List<ErasureRequest> requests) throws SQLException {
        Map<String, Integer> rows = new LinkedHashMap<>();
        requests.forEach(r -> rows.put(r.requestId(), 0));
        if (requests.isEmpty()) {
            return rows;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(!dialect.transactional());
            try {
                for (TableRule rule : rules) {
                    Map<String, List<String>> requestsByUser = requestsByUser(rule, requests);
                    if (requestsByUser.isEmpty()) {
                        continue;
                    }
                    List<String> userIds = new ArrayList<>(requestsByUser.keySet());
                    countPerUser(c, rule, userIds).forEach((user, count) ->
                            requestsByUser.getOrDefault(user, List.of()).forEach(id -> rows.merge(id, count, Integer::sum)));
                    execute(c, dialect.write(rule, userIds, masks, waitForMutations));
                }
                if (dialect.transactional()) {
                    c.commit();
                }
            } catch (SQLException | RuntimeException e) {
                if (dialect.transactional()) {
                    c.rollback();
                }
                throw e;
            }
            int left = remaining(c, requests);
            if (left > 0) {
                throw new CopiesRemainException("jdbc", left);
            }
            return rows;
        }
    }

    /** The rows of the request's user still in the tables (what reconciliation counts). */
    public int residuals(ErasureRequest request) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return remaining(c, List.of(request));
        }
    }

    /** The re-read after the commit; a mutation not waited for cannot be seen yet, so it is not re-read here. */
    private int remaining(Connection c, List<ErasureRequest> requests) throws SQLException {
        if (dialect == SqlDialect.CLICKHOUSE && !waitForMutations) {
            return 0;
        }
        int left = 0;
        for (TableRule rule : rules) {
            List<String> userIds = new ArrayList<>(requestsByUser(rule, requests).keySet());
            if (!userIds.isEmpty()) {
                try (PreparedStatement ps = prepare(c, dialect.remaining(rule, userIds, masks)); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    left += rs.getInt(1);
                }
            }
        }
        return left;
    }

    /**
     * The batch's distinct user ids whose form fits the rule's user column, each with its requests (a user id that is
     * not a number cannot have rows in a numeric column), keyed by the text the database answers for the bound value.
     */
    private Map<String, List<String>> requestsByUser(TableRule rule, List<ErasureRequest> requests) {
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (ErasureRequest request : requests) {
            if (rule.userId().bind(request.userId()).isPresent()) {
                byUser.computeIfAbsent(request.userId(), u -> new ArrayList<>()).add(request.requestId());
            }
        }
        return byUser;
    }

    /** Rows per user id the write will change, keyed by the user id as the batch gave it. */
    private Map<String, Integer> countPerUser(Connection c, TableRule rule, List<String> userIds) throws SQLException {
        Map<String, String> userByValue = new HashMap<>();
        userIds.forEach(u -> userByValue.put(String.valueOf(dialect.bind(rule, u)), u));
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = prepare(c, dialect.countPerUser(rule, userIds, masks)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String user = userByValue.get(String.valueOf(rs.getObject(1)));
                if (user != null) {
                    counts.merge(user, rs.getInt(2), Integer::sum);
                }
            }
        }
        return counts;
    }

    private static void execute(Connection c, SqlDialect.Statement statement) throws SQLException {
        try (PreparedStatement ps = prepare(c, statement)) {
            ps.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection c, SqlDialect.Statement statement) throws SQLException {
        PreparedStatement ps = c.prepareStatement(statement.sql());
        try {
            for (int i = 0; i < statement.parameters().size(); i++) {
                ps.setObject(i + 1, statement.parameters().get(i));
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }
}
