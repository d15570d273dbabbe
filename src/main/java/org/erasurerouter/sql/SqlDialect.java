package org.erasurerouter.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import org.erasurerouter.InvalidSettingException;
import org.erasurerouter.scrub.MaskingStrategy;

/**
 * How the jdbc store's statements are written for each kind of database. Every statement handles a whole batch of
 * users ({@code user_column IN (?, …)}); user ids, replacement values and hashes are bound parameters, and only names
 * from the checked table rules are part of the text.
 *
 * <ul>
 *   <li>PostgreSQL and MySQL/MariaDB: {@code DELETE} / {@code UPDATE}, the batch's tables in one transaction.</li>
 *   <li>ClickHouse: {@code ALTER TABLE … DELETE} / {@code ALTER TABLE … UPDATE} mutations, which have no
 *       transaction; with {@code waitForMutations} each statement carries {@code SETTINGS mutations_sync = 2}, so it
 *       returns once every replica has applied it, and the re-read that follows can prove the rows gone. The
 *       {@code null} strategy writes the column's default value, since ClickHouse columns are rarely Nullable.</li>
 * </ul>
 */
public enum SqlDialect {
    POSTGRESQL, MYSQL, CLICKHOUSE;

    /** A statement's text and its parameters in order. */
    public record Statement(String sql, List<Object> parameters) {}

    /** The values masked columns get: the replacement, and the keyed hash of a user id. */
    public record Masks(String replacement, Function<String, String> hash) {}

    /**
     * The dialect named by {@code erasure.jdbc.dialect}, or for {@code auto} the one the JDBC URL names.
     *
     * @throws InvalidSettingException when the name is unknown or the URL names no supported database
     */
    public static SqlDialect of(String setting, String url) {
        String name = setting == null || setting.isBlank() ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        if (!name.equals("auto")) {
            for (SqlDialect dialect : values()) {
                if (dialect.name().toLowerCase(Locale.ROOT).equals(name) || (dialect == MYSQL && name.equals("mariadb"))) {
                    return dialect;
                }
            }
            throw new InvalidSettingException("erasure.jdbc.dialect is '" + setting + "'; expected auto, postgresql, mysql, mariadb or clickhouse");
        }
        String u = url == null ? "" : url.trim().toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (u.startsWith("jdbc:mysql:") || u.startsWith("jdbc:mariadb:")) {
            return MYSQL;
        }
        if (u.startsWith("jdbc:clickhouse:") || u.startsWith("jdbc:ch:")) {
            return CLICKHOUSE;
        }
        throw new InvalidSettingException("erasure.jdbc.dialect is auto, but the database of erasure.jdbc.sink-url is not"
                + " PostgreSQL, MySQL, MariaDB or ClickHouse; set erasure.jdbc.dialect");
    }

    /** Whether a batch's statements run in one transaction (ClickHouse mutations have none). */
    public boolean transactional() {
        return this != CLICKHOUSE;
    }

    /** Rows the batch will change, per user: {@code SELECT user_column, count(*) … GROUP BY user_column}. */
    public Statement countPerUser(TableRule rule, List<String> userIds, Masks masks) {
        Builder b = new Builder().add("SELECT " + rule.userColumn() + ", count(*) FROM " + rule.table() + " WHERE ");
        match(b, rule, userIds, masks);
        return b.add(" GROUP BY " + rule.userColumn()).build();
    }

    /** The one statement that deletes or masks the batch's rows in a table. */
    public Statement write(TableRule rule, List<String> userIds, Masks masks, boolean waitForMutations) {
        Builder b = new Builder();
        boolean delete = rule.action() == TableRule.Action.DELETE;
        if (this == CLICKHOUSE) {
            b.add("ALTER TABLE " + rule.table() + (delete ? " DELETE" : " UPDATE "));
        } else {
            b.add(delete ? "DELETE FROM " + rule.table() : "UPDATE " + rule.table() + " SET ");
        }
        if (!delete) {
            String separator = "";
            for (var column : rule.columns().entrySet()) {
                b.add(separator + column.getKey() + " = ");
                mask(b, rule, column.getKey(), column.getValue(), userIds, masks);
                separator = ", ";
            }
        }
        b.add(" WHERE ");
        match(b, rule, userIds, masks);
        if (this == CLICKHOUSE && waitForMutations) {
            b.add(" SETTINGS mutations_sync = 2");
        }
        return b.build();
    }

    /** The re-read: how many of the batch's rows still hold what the rule removes. */
    public Statement remaining(TableRule rule, List<String> userIds, Masks masks) {
        Builder b = new Builder().add("SELECT count(*) FROM " + rule.table() + " WHERE ");
        match(b, rule, userIds, masks);
        return b.build();
    }

    /** The value bound for a user id in this rule's user column. */
    public Object bind(TableRule rule, String userId) {
        Object value = rule.userId().bind(userId).orElseThrow(() -> new IllegalArgumentException(
                "user id is not of type " + rule.userId() + " for table rule " + rule.name()));
        return value instanceof UUID && this != POSTGRESQL ? value.toString() : value;
    }

    /** The batch's rows of a table: theirs, and for obfuscation only those not yet masked, so a rerun changes none. */
    private void match(Builder b, TableRule rule, List<String> userIds, Masks masks) {
        b.add(rule.userColumn() + " IN (");
        for (int i = 0; i < userIds.size(); i++) {
            b.add(i == 0 ? "?" : ", ?").param(bind(rule, userIds.get(i)));
        }
        b.add(")");
        if (rule.action() == TableRule.Action.OBFUSCATE) {
            b.add(" AND (");
            String separator = "";
            for (var column : rule.columns().entrySet()) {
                b.add(separator);
                String c = column.getKey();
                switch (this) {
                    case POSTGRESQL -> b.add(c + " IS DISTINCT FROM ");
                    case MYSQL -> b.add("NOT (" + c + " <=> ");
                    case CLICKHOUSE -> b.add(c + " != ");
                }
                mask(b, rule, c, column.getValue(), userIds, masks);
                if (this == MYSQL) {
                    b.add(")");
                }
                separator = " OR ";
            }
            b.add(")");
        }
    }

    /** The masked value of a column: the replacement, nothing, or each user's keyed hash. */
    private void mask(Builder b, TableRule rule, String column, MaskingStrategy strategy, List<String> userIds, Masks masks) {
        switch (strategy) {
            case REPLACE -> b.add("?").param(masks.replacement());
            case NULL -> b.add(this == CLICKHOUSE ? "defaultValueOfArgumentType(" + column + ")" : "NULL");
            case HASH -> {
                b.add("CASE " + rule.userColumn());
                for (String userId : userIds) {
                    b.add(" WHEN ? THEN ?").param(bind(rule, userId)).param(masks.hash().apply(userId));
                }
                b.add(" END");
            }
        }
    }

    private static final class Builder {
        private final StringBuilder sql = new StringBuilder();
        private final List<Object> parameters = new ArrayList<>();

        Builder add(String text) {
            sql.append(text);
            return this;
        }

        Builder param(Object value) {
            parameters.add(value);
            return this;
        }

        Statement build() {
            return new Statement(sql.toString(), List.copyOf(parameters));
        }
    }
}
