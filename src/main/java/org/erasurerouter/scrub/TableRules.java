package org.erasurerouter.scrub;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.erasurerouter.InvalidSettingException;

/**
 * The SQL tables the JDBC store erases from, configured as {@code [schema.]table.column} entries (the column holds
 * the user id). Names come only from configuration and must be plain identifiers; the user id is always bound.
 */
public final class TableRules {

    private static final Pattern ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){1,2}");

    private TableRules() {}

    /** One {@code DELETE} per entry, with the user id as camel-jdbc's named parameter {@code :?erasureUserId}. */
    public static List<String> deleteStatements(String spec) {
        List<String> statements = new ArrayList<>();
        for (String entry : entries(spec)) {
            int dot = entry.lastIndexOf('.');
            statements.add("DELETE FROM " + entry.substring(0, dot) + " WHERE " + entry.substring(dot + 1) + " = :?erasureUserId");
        }
        return statements;
    }

    /** The {@code [schema.]table.column} entries of the setting, each checked to be made of plain names. */
    private static List<String> entries(String spec) {
        List<String> entries = new ArrayList<>();
        for (String raw : spec == null ? new String[0] : spec.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (!ENTRY.matcher(entry).matches()) {
                throw new InvalidSettingException("erasure.jdbc.tables entry '" + entry
                        + "' is not [schema.]table.column made of letters, digits and underscores");
            }
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            throw new InvalidSettingException("erasure.jdbc.tables is empty but the jdbc store is enabled in erasure.stores");
        }
        return entries;
    }

    /**
     * Checks every configured table and column against the database's metadata, so a misspelt name stops start-up
     * instead of parking the first deletion. A table without a schema is looked up in the connection's schema.
     *
     * @throws InvalidSettingException naming each table or column that does not exist
     */
    public static void checkAgainst(DataSource dataSource, String spec) {
        List<String> entries = entries(spec);
        List<String> problems = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData metadata = c.getMetaData();
            for (String entry : entries) {
                String[] parts = entry.split("\\.");
                String schema = parts.length == 3 ? parts[0] : c.getSchema();
                String table = parts[parts.length - 2];
                String column = parts[parts.length - 1];
                String where = parts.length == 3 ? entry.substring(0, entry.lastIndexOf('.')) : table;
                if (!exists(metadata, schema, table, null)) {
                    problems.add("table '" + where + "' does not exist");
                } else if (!exists(metadata, schema, table, column)) {
                    problems.add("table '" + where + "' has no column '" + column + "'");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the tables of erasure.jdbc.url to check erasure.jdbc.tables"
                    + " (SQL state " + e.getSQLState() + ")", e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException("erasure.jdbc.tables names what the database lacks: " + String.join("; ", problems));
        }
    }

    /** Whether the table (or its column) exists, with names folded as the database folds unquoted identifiers. */
    private static boolean exists(DatabaseMetaData metadata, String schema, String table, String column) throws SQLException {
        String escape = metadata.getSearchStringEscape();
        String s = schema == null ? null : pattern(fold(metadata, schema), escape);
        String t = pattern(fold(metadata, table), escape);
        try (ResultSet rs = column == null ? metadata.getTables(null, s, t, null)
                : metadata.getColumns(null, s, t, pattern(fold(metadata, column), escape))) {
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
