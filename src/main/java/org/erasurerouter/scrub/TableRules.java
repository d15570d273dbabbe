package org.erasurerouter.scrub;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
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
        for (String raw : spec == null ? new String[0] : spec.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (!ENTRY.matcher(entry).matches()) {
                throw new InvalidSettingException("erasure.jdbc.tables entry '" + entry
                        + "' is not [schema.]table.column made of letters, digits and underscores");
            }
            int dot = entry.lastIndexOf('.');
            statements.add("DELETE FROM " + entry.substring(0, dot) + " WHERE " + entry.substring(dot + 1) + " = :?erasureUserId");
        }
        if (statements.isEmpty()) {
            throw new InvalidSettingException("erasure.jdbc.tables is empty but the jdbc store is enabled in erasure.stores");
        }
        return statements;
    }
}
