package org.erasurerouter.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.erasurerouter.InvalidSettingException;
import org.erasurerouter.scrub.MaskingStrategy;
import org.junit.jupiter.api.Test;

class TableRuleTest {

    static Map<String, String> settings(String... keyValues) {
        Map<String, String> s = new TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        return s;
    }

    static String problemWith(Map<String, String> settings) {
        return assertThrows(InvalidSettingException.class, () -> TableRules.fromSettings(settings)).getMessage();
    }

    @Test
    void readsOneRulePerNameWithDefaultsForUserColumnTypeAndAction() {
        List<TableRule> rules = TableRules.fromSettings(settings(
                "erasure.jdbc.table.profile.table", "learner_profile",
                "erasure.jdbc.table.aspects.table", "event_sink.user_profile",
                "erasure.jdbc.table.aspects.user-column", "user_id",
                "erasure.jdbc.table.aspects.user-id", "integer",
                "erasure.jdbc.table.aspects.action", "obfuscate",
                "erasure.jdbc.table.aspects.columns", " name , email:hash, phone_number:null ",
                "erasure.other.key", "ignored"));
        Map<String, MaskingStrategy> columns = new LinkedHashMap<>();
        columns.put("name", MaskingStrategy.REPLACE);
        columns.put("email", MaskingStrategy.HASH);
        columns.put("phone_number", MaskingStrategy.NULL);
        assertEquals(List.of(
                new TableRule("aspects", "event_sink.user_profile", "user_id", TableRule.UserId.INTEGER, TableRule.Action.OBFUSCATE, columns),
                new TableRule("profile", "learner_profile", "user_id", TableRule.UserId.TEXT, TableRule.Action.DELETE, Map.of())),
                rules);
        assertEquals(true, rules.get(0).hashes());
        assertEquals(false, rules.get(1).hashes());
    }

    @Test
    void refusesAnEnabledJdbcStoreWithoutTables() {
        assertEquals("no erasure.jdbc.table.<name>.table is set, but the jdbc store is enabled in erasure.stores",
                problemWith(settings("erasure.jdbc.url", "jdbc:postgresql://db/x")));
    }

    @Test
    void namesTheSettingThatIsMissingOrMalformed() {
        assertEquals("erasure.jdbc.table.p.table is missing: name the table as [schema.]table",
                problemWith(settings("erasure.jdbc.table.p.action", "delete")));
        assertEquals("erasure.jdbc.table.p.table 'profiles;drop table x' is not [schema.]table made of letters, digits and underscores",
                problemWith(settings("erasure.jdbc.table.p.table", "profiles;drop table x")));
        assertEquals("erasure.jdbc.table.p.table 'a.b.c' is not [schema.]table made of letters, digits and underscores",
                problemWith(settings("erasure.jdbc.table.p.table", "a.b.c")));
        assertEquals("erasure.jdbc.table.p.user-column 'user id' is not a plain column name",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.user-column", "user id")));
        assertEquals("erasure.jdbc.table.p.user-id is 'long'; expected one of text, integer, uuid",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.user-id", "long")));
        assertEquals("erasure.jdbc.table.p.action is 'truncate'; expected one of delete, obfuscate",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.action", "truncate")));
        assertEquals("erasure.jdbc.table.p.colums is not a table setting; they are table, user-column, user-id, action and columns",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.colums", "name")));
        assertEquals("erasure.jdbc.table.p is not erasure.jdbc.table.<name>.<setting>",
                problemWith(settings("erasure.jdbc.table.p", "t")));
        assertEquals("erasure.jdbc.table.p-1 is not a plain name (letters, digits, underscores)",
                problemWith(settings("erasure.jdbc.table.p-1.table", "t")));
    }

    @Test
    void refusesObfuscationRulesThatCouldNotBeCarriedOutOrProven() {
        assertEquals("erasure.jdbc.table.p.columns is missing: obfuscate needs the columns to mask",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.action", "obfuscate")));
        assertEquals("erasure.jdbc.table.p.columns is set, but the action is delete (whole rows go)",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.columns", "name")));
        assertEquals("erasure.jdbc.table.p.columns entry 'email:scramble' has unknown masking strategy 'scramble'; expected replace, null or hash",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.action", "obfuscate",
                        "erasure.jdbc.table.p.columns", "name, email:scramble")));
        assertEquals("erasure.jdbc.table.p.columns entry 'e-mail' is not a plain column name",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.action", "obfuscate",
                        "erasure.jdbc.table.p.columns", "e-mail")));
        assertEquals("erasure.jdbc.table.p.columns lists column 'Name' twice",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.action", "obfuscate",
                        "erasure.jdbc.table.p.columns", "name, Name:null")));
        assertEquals("erasure.jdbc.table.p.columns masks the user column 'user_id': the rows could no longer be found to prove them masked",
                problemWith(settings("erasure.jdbc.table.p.table", "t", "erasure.jdbc.table.p.action", "obfuscate",
                        "erasure.jdbc.table.p.columns", "name, USER_ID:hash")));
    }

    @Test
    void bindsAUserIdAsTheColumnHoldsItOrNotAtAllWhenItCannotBeThere() {
        assertEquals(Optional.of("u-1'; --"), TableRule.UserId.TEXT.bind("u-1'; --"));
        assertEquals(Optional.of(4711L), TableRule.UserId.INTEGER.bind(" 4711 "));
        assertEquals(Optional.empty(), TableRule.UserId.INTEGER.bind("u-4711"));
        assertEquals(Optional.of(java.util.UUID.fromString("0b7e4d2c-1f1a-4c55-9a51-0f1c2d3e4f50")),
                TableRule.UserId.UUID.bind("0b7e4d2c-1f1a-4c55-9a51-0f1c2d3e4f50"));
        assertEquals(Optional.empty(), TableRule.UserId.UUID.bind("4711"));
    }
}
