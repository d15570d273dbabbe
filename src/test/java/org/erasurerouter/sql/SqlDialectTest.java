package org.erasurerouter.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.erasurerouter.InvalidSettingException;
import org.erasurerouter.sql.SqlDialect.Statement;
import org.junit.jupiter.api.Test;

class SqlDialectTest {

    static final SqlDialect.Masks MASKS = new SqlDialect.Masks("Deleted User", userId -> "h(" + userId + ")");

    /** Open edX Aspects' two PII sinks, as README and application.properties document them. */
    static final List<TableRule> ASPECTS = TableRules.fromSettings(new TreeMap<>(Map.of(
            "erasure.jdbc.table.user_profile.table", "event_sink.user_profile",
            "erasure.jdbc.table.user_profile.user-id", "integer",
            "erasure.jdbc.table.user_profile.action", "obfuscate",
            "erasure.jdbc.table.user_profile.columns", "name, email:hash, phone_number:null",
            "erasure.jdbc.table.external_id.table", "event_sink.external_id",
            "erasure.jdbc.table.external_id.user-id", "integer")));
    static final TableRule EXTERNAL_ID = ASPECTS.get(0);
    static final TableRule USER_PROFILE = ASPECTS.get(1);

    @Test
    void writesClickHouseMutationsForABatchWithEveryUserIdBound() {
        Statement delete = SqlDialect.CLICKHOUSE.write(EXTERNAL_ID, List.of("17", "42"), MASKS, true);
        assertEquals("ALTER TABLE event_sink.external_id DELETE WHERE user_id IN (?, ?) SETTINGS mutations_sync = 2", delete.sql());
        assertEquals(List.of(17L, 42L), delete.parameters());

        Statement update = SqlDialect.CLICKHOUSE.write(USER_PROFILE, List.of("17", "42"), MASKS, false);
        assertEquals("ALTER TABLE event_sink.user_profile UPDATE name = ?, email = CASE user_id WHEN ? THEN ? WHEN ? THEN ? END,"
                + " phone_number = defaultValueOfArgumentType(phone_number)"
                + " WHERE user_id IN (?, ?) AND (name != ? OR email != CASE user_id WHEN ? THEN ? WHEN ? THEN ? END"
                + " OR phone_number != defaultValueOfArgumentType(phone_number))", update.sql());
        assertEquals(List.of("Deleted User", 17L, "h(17)", 42L, "h(42)", 17L, 42L, "Deleted User", 17L, "h(17)", 42L, "h(42)"),
                update.parameters());
        assertFalse(SqlDialect.CLICKHOUSE.transactional(), "mutations have no transaction");
    }

    @Test
    void countsAndReReadsAClickHouseBatchWithPlainSelects() {
        assertEquals("SELECT user_id, count(*) FROM event_sink.external_id WHERE user_id IN (?) GROUP BY user_id",
                SqlDialect.CLICKHOUSE.countPerUser(EXTERNAL_ID, List.of("17"), MASKS).sql());
        assertEquals("SELECT count(*) FROM event_sink.user_profile WHERE user_id IN (?) AND (name != ? OR email !="
                + " CASE user_id WHEN ? THEN ? END OR phone_number != defaultValueOfArgumentType(phone_number))",
                SqlDialect.CLICKHOUSE.remaining(USER_PROFILE, List.of("17"), MASKS).sql());
    }

    @Test
    void writesPostgresqlDeletesAndUpdatesThatSkipRowsAlreadyMasked() {
        TableRule profile = TableRules.fromSettings(new TreeMap<>(Map.of("erasure.jdbc.table.p.table", "learner_profile",
                "erasure.jdbc.table.p.action", "obfuscate", "erasure.jdbc.table.p.columns", "name, email:null"))).get(0);
        Statement update = SqlDialect.POSTGRESQL.write(profile, List.of("u-1", "u'2"), MASKS, true);
        assertEquals("UPDATE learner_profile SET name = ?, email = NULL WHERE user_id IN (?, ?)"
                + " AND (name IS DISTINCT FROM ? OR email IS DISTINCT FROM NULL)", update.sql());
        assertEquals(List.of("Deleted User", "u-1", "u'2", "Deleted User"), update.parameters());

        TableRule rows = TableRules.fromSettings(new TreeMap<>(Map.of("erasure.jdbc.table.p.table", "public.learner_profile",
                "erasure.jdbc.table.p.user-column", "uid", "erasure.jdbc.table.p.user-id", "uuid"))).get(0);
        UUID id = UUID.randomUUID();
        Statement delete = SqlDialect.POSTGRESQL.write(rows, List.of(id.toString()), MASKS, true);
        assertEquals("DELETE FROM public.learner_profile WHERE uid IN (?)", delete.sql());
        assertEquals(List.of(id), delete.parameters(), "PostgreSQL binds a uuid as one");
        assertTrue(SqlDialect.POSTGRESQL.transactional());
    }

    @Test
    void writesMysqlNullSafeComparisonsAndBindsUuidsAsText() {
        Statement remaining = SqlDialect.MYSQL.remaining(USER_PROFILE, List.of("7"), MASKS);
        assertEquals("SELECT count(*) FROM event_sink.user_profile WHERE user_id IN (?) AND (NOT (name <=> ?)"
                + " OR NOT (email <=> CASE user_id WHEN ? THEN ? END) OR NOT (phone_number <=> NULL))", remaining.sql());
        assertEquals(List.of(7L, "Deleted User", 7L, "h(7)"), remaining.parameters());
        TableRule byUuid = TableRules.fromSettings(new TreeMap<>(Map.of("erasure.jdbc.table.p.table", "t",
                "erasure.jdbc.table.p.user-id", "uuid"))).get(0);
        UUID id = UUID.randomUUID();
        assertEquals(List.of(id.toString()), SqlDialect.MYSQL.write(byUuid, List.of(id.toString()), MASKS, true).parameters());
        assertEquals("DELETE FROM t WHERE user_id IN (?)", SqlDialect.MYSQL.write(byUuid, List.of(id.toString()), MASKS, true).sql());
    }

    @Test
    void findsTheDialectFromTheUrlUnlessNamed() {
        assertEquals(SqlDialect.POSTGRESQL, SqlDialect.of("auto", "jdbc:postgresql://db:5432/lms"));
        assertEquals(SqlDialect.MYSQL, SqlDialect.of("auto", "jdbc:mysql://db:3306/edxapp"));
        assertEquals(SqlDialect.MYSQL, SqlDialect.of(" ", "jdbc:mariadb://db:3306/edxapp"));
        assertEquals(SqlDialect.CLICKHOUSE, SqlDialect.of("auto", "jdbc:clickhouse://ch:8123/event_sink"));
        assertEquals(SqlDialect.CLICKHOUSE, SqlDialect.of("ClickHouse", "jdbc:postgresql://proxy/x"));
        assertEquals(SqlDialect.MYSQL, SqlDialect.of("mariadb", "jdbc:other://x"));
        assertEquals("erasure.jdbc.dialect is auto, but the database of erasure.jdbc.sink-url is not PostgreSQL, MySQL,"
                + " MariaDB or ClickHouse; set erasure.jdbc.dialect",
                assertThrows(InvalidSettingException.class, () -> SqlDialect.of("auto", "jdbc:oracle:thin:@db")).getMessage());
        assertEquals("erasure.jdbc.dialect is 'oracle'; expected auto, postgresql, mysql, mariadb or clickhouse",
                assertThrows(InvalidSettingException.class, () -> SqlDialect.of("oracle", "jdbc:oracle:thin:@db")).getMessage());
    }

    @Test
    void refusesToBindAUserIdTheColumnCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> SqlDialect.POSTGRESQL.write(EXTERNAL_ID, List.of("u-17"), MASKS, true));
    }
}
