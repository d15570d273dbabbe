package org.erasurerouter.sql;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.erasurerouter.InvalidSettingException;

/**
 * The SQL tables the jdbc store erases from, read from the settings family {@code erasure.jdbc.table.<name>.<key>}
 * (see {@link TableRule#fromSettings}), and checked against the database so that a misspelt name stops start-up.
 */
public final class TableRules {

    public static final String PREFIX = "erasure.jdbc.table.";

    private TableRules() {}

    /**
     * The rules, ordered by name, from every setting whose key starts with {@value #PREFIX}.
     *
     * @throws InvalidSettingException naming the first malformed setting, or when there is no rule at all
     */
    public static List<TableRule> fromSettings(Map<String, String> settings) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                String rest = key.substring(PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw new InvalidSettingException(key + " is not erasure.jdbc.table.<name>.<setting>");
                }
                byName.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), value);
            }
        });
        if (byName.isEmpty()) {
            throw new InvalidSettingException("no erasure.jdbc.table.<name>.table is set, but the jdbc store is enabled in erasure.stores");
        }
        List<TableRule> rules = new ArrayList<>();
        byName.forEach((name, rule) -> rules.add(TableRule.fromSettings(name, rule)));
        return rules;
    }

    /**
     * Checks every rule's table and columns against the database's metadata, so a misspelt name stops start-up
     * instead of parking the first deletion. A table without a schema is looked up in the connection's schema.
     *
     * @throws InvalidSettingException naming each table or column that does not exist
     */
    public static void checkAgainst(DataSource dataSource, List<TableRule> rules) {
        List<String> problems = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData metadata = c.getMetaData();
            for (TableRule rule : rules) {
                String[] parts = rule.table().split("\\.");
                String qualifier = parts.length == 2 ? parts[0] : null;
                // MySQL calls a database a catalog; PostgreSQL and ClickHouse's driver call it a schema
                boolean byCatalog = !metadata.supportsSchemasInTableDefinitions();
                String catalog = byCatalog ? (qualifier != null ? qualifier : c.getCatalog()) : null;
                String schema = byCatalog ? null : qualifier != null ? qualifier : c.getSchema();
                String table = parts[parts.length - 1];
                String where = PREFIX + rule.name() + ".table '" + rule.table() + "'";
                if (!exists(metadata, catalog, schema, table, null)) {
                    problems.add(where + " does not exist");
                    continue;
                }
                List<String> columns = new ArrayList<>(List.of(rule.userColumn()));
                columns.addAll(rule.columns().keySet());
                for (String column : columns) {
                    if (!exists(metadata, catalog, schema, table, column)) {
                        problems.add(where + " has no column '" + column + "'");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the tables of erasure.jdbc.sink-url to check erasure.jdbc.table.*"
                    + " (SQL state " + e.getSQLState() + ")", e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException("the jdbc store's tables are not in the database: " + String.join("; ", problems));
        }
    }

    /** Whether the table (or its column) exists, with names folded as the database folds unquoted identifiers. */
    private static boolean exists(DatabaseMetaData metadata, String catalog, String schema, String table, String column)
            throws SQLException {
        String escape = metadata.getSearchStringEscape();
        String s = schema == null ? null : pattern(fold(metadata, schema), escape);
        String t = pattern(fold(metadata, table), escape);
        try (ResultSet rs = column == null ? metadata.getTables(catalog, s, t, null)
                : metadata.getColumns(catalog, s, t, pattern(fold(metadata, column), escape))) {
            return rs.next();
        }
    }

    private static String fold(DatabaseMetaData metadata, String name) throws SQLException {
        return metadata.storesLowerCaseIdentifiers() ? name.toLowerCase(Locale.ROOT)
                : metadata.storesUpperCaseIdentifiers() ? name.toUpperCase(Locale.ROOT) : name;
    }

    /** A metadata search pattern matching the name exactly: its {@code _} would otherwise match any character. */
    private static String pattern(String name, String escape) {
        return escape == null || escape.isEmpty() ? name : name.replace("_", escape + "_").replace("%", escape + "%");
    }
}
