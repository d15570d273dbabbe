package org.erasurerouter.sql;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.erasurerouter.InvalidSettingException;
import org.erasurerouter.scrub.MaskingStrategy;

/**
 * One SQL table the jdbc store erases from, as configured under {@code erasure.jdbc.table.<name>.*}: the rows whose
 * {@code userColumn} holds the user id are deleted, or have their {@code columns} masked. Table and column names are
 * plain identifiers (they are written into statements); the user id is always a bound parameter.
 *
 * @param name       the rule's name in the settings (its key segment)
 * @param table      {@code [schema.]table}
 * @param userColumn the column holding the user id
 * @param userId     how the event's user id maps to that column's values
 * @param action     delete the rows or obfuscate columns
 * @param columns    for {@link Action#OBFUSCATE}: each column with its masking strategy, in configuration order
 */
public record TableRule(String name, String table, String userColumn, UserId userId, Action action,
                        Map<String, MaskingStrategy> columns) {

    /** What is done to the user's rows. */
    public enum Action { DELETE, OBFUSCATE }

    /** How the event's user id (always text) is bound against the user column. */
    public enum UserId {
        /** As the text it is (Sunbird's user ids). */
        TEXT,
        /** As a whole number (Open edX's LMS user id); a user id that is not one cannot have rows there. */
        INTEGER,
        /** As a UUID; a user id that is not one cannot have rows there. */
        UUID;

        /** The value to bind for a user id, or empty when no row of such a column can hold it. */
        public Optional<Object> bind(String userId) {
            try {
                return Optional.of(switch (this) {
                    case TEXT -> userId;
                    case INTEGER -> Long.parseLong(userId.trim());
                    case UUID -> java.util.UUID.fromString(userId.trim());
                });
            } catch (IllegalArgumentException notOfThisType) {
                return Optional.empty();
            }
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    public TableRule {
        columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /**
     * The rule named {@code name} from its settings (keys without the {@code erasure.jdbc.table.<name>.} prefix):
     * {@code table} (required), {@code user-column} (default {@code user_id}), {@code user-id} ({@code text},
     * {@code integer} or {@code uuid}; default text), {@code action} ({@code delete} or {@code obfuscate}; default
     * delete) and, for obfuscate, {@code columns} as {@code column[:replace|null|hash], …}.
     *
     * @throws InvalidSettingException naming the key that is missing or malformed
     */
    public static TableRule fromSettings(String name, Map<String, String> settings) {
        String prefix = "erasure.jdbc.table." + name + ".";
        for (String key : settings.keySet()) {
            if (!java.util.Set.of("table", "user-column", "user-id", "action", "columns").contains(key)) {
                throw new InvalidSettingException(prefix + key + " is not a table setting; they are table, user-column,"
                        + " user-id, action and columns");
            }
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidSettingException("erasure.jdbc.table." + name + " is not a plain name (letters, digits, underscores)");
        }
        String table = setting(settings, "table", null);
        if (table == null) {
            throw new InvalidSettingException(prefix + "table is missing: name the table as [schema.]table");
        }
        if (!TABLE.matcher(table).matches()) {
            throw new InvalidSettingException(prefix + "table '" + table + "' is not [schema.]table made of letters, digits and underscores");
        }
        String userColumn = setting(settings, "user-column", "user_id");
        if (!NAME.matcher(userColumn).matches()) {
            throw new InvalidSettingException(prefix + "user-column '" + userColumn + "' is not a plain column name");
        }
        UserId userId = choice(prefix + "user-id", setting(settings, "user-id", "text"), UserId.class);
        Action action = choice(prefix + "action", setting(settings, "action", "delete"), Action.class);
        Map<String, MaskingStrategy> columns = columns(prefix + "columns", setting(settings, "columns", ""));
        if (action == Action.OBFUSCATE && columns.isEmpty()) {
            throw new InvalidSettingException(prefix + "columns is missing: obfuscate needs the columns to mask");
        }
        if (action == Action.DELETE && !columns.isEmpty()) {
            throw new InvalidSettingException(prefix + "columns is set, but the action is delete (whole rows go)");
        }
        if (columns.keySet().stream().anyMatch(userColumn::equalsIgnoreCase)) {
            throw new InvalidSettingException(prefix + "columns masks the user column '" + userColumn
                    + "': the rows could no longer be found to prove them masked");
        }
        return new TableRule(name, table, userColumn, userId, action, columns);
    }

    /** Whether any column is masked with the hash strategy (which needs the HMAC secret). */
    public boolean hashes() {
        return columns.containsValue(MaskingStrategy.HASH);
    }

    private static String setting(Map<String, String> settings, String key, String defaultValue) {
        String value = settings.get(key);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    private static <E extends Enum<E>> E choice(String key, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String allowed = String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
            throw new InvalidSettingException(key + " is '" + value + "'; expected one of " + allowed);
        }
    }

    /** {@code column[:strategy], …} in order; names are compared in any letter case only to find duplicates. */
    private static Map<String, MaskingStrategy> columns(String key, String spec) {
        Map<String, MaskingStrategy> columns = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String raw : spec.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String column = (colon < 0 ? entry : entry.substring(0, colon)).trim();
            String strategyName = colon < 0 ? "replace" : entry.substring(colon + 1).trim();
            if (!NAME.matcher(column).matches()) {
                throw new InvalidSettingException(key + " entry '" + entry + "' is not a plain column name");
            }
            MaskingStrategy strategy = MaskingStrategy.named(strategyName).orElseThrow(() -> new InvalidSettingException(
                    key + " entry '" + entry + "' has unknown masking strategy '" + strategyName + "'; expected replace, null or hash"));
            columns.put(column, strategy);
            if (!seen.add(column.toLowerCase(Locale.ROOT))) {
                throw new InvalidSettingException(key + " lists column '" + column + "' twice");
            }
        }
        return columns;
    }
}
