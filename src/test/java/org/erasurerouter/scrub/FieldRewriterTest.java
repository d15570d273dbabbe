package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldRewriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String USER = "5a587cc1-e018-4859-a0a8-e842650b9d64";
    private static final String NAME = "Ada Lovelace";
    private static final String OTHER = "874ed8a5-782e-4f6c-8f36-e0288455901e";
    private static final String OTHER_NAME = "Grace Hopper";
    private static final String DELETED = "Deleted User";
    private static final String SECRET = "erasure-test-secret";

    /** Sunbird's design: createdBy -> creator, originData.creator.name; lastPublishedBy -> publisher. */
    private static Map<String, String> sunbirdSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("createdBy", "creator, originData.creator.name");
        settings.put("lastPublishedBy", "publisher");
        return settings;
    }

    private final FieldRewriter sunbird = FieldRewriter.fromSettings(sunbirdSettings(), DELETED, null);

    private static FieldRewriter rewriter(String key, String targets) {
        return FieldRewriter.fromSettings(Map.of(key, targets), DELETED, SECRET);
    }

    /** An unmodifiable, ordered map that may hold nulls: any attempt to mutate the input fails the test. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    private static String originData(String creatorName) {
        return "{\"identifier\":\"do_2134\",\"repository\":\"https://dock.sunbirded.org/api/content/v1/read/do_2134\","
                + "\"copyType\":\"deep\",\"license\":\"CC BY 4.0\",\"organisation\":[\"Sunbird Org\"],"
                + "\"pkgVersion\":1.10,\"creator\":{\"id\":\"" + USER + "\",\"name\":\"" + creatorName + "\"}}";
    }

    /** A Live content node as Neo4j holds it: originData is a JSON string. */
    private static Map<String, Object> contentNode(String createdBy, String lastPublishedBy) {
        return map("IL_UNIQUE_ID", "do_1134", "IL_FUNC_OBJECT_TYPE", "Content", "objectType", "Content",
                "name", "Fractions for Class 5", "status", "Live", "mimeType", "application/pdf",
                "createdBy", createdBy, "creator", NAME, "lastPublishedBy", lastPublishedBy, "publisher", OTHER_NAME,
                "originData", originData(NAME), "pkgVersion", 3, "contentType", "Resource");
    }

    private static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json.replace('\'', '"'));
    }

    private static String hmac(String secret, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- ownership

    @Test
    void replacesTheCreatorNameOfContentTheUserCreated() {
        Map<String, Object> changes = sunbird.changes(contentNode(USER, OTHER), USER, NAME);

        assertEquals(Set.of("creator", "originData"), changes.keySet());
        assertEquals(DELETED, changes.get("creator"));
        assertEquals(originData(DELETED), changes.get("originData"));
    }

    @Test
    void replacesThePublisherNameOfContentTheUserPublished() {
        Map<String, Object> changes = sunbird.changes(contentNode(OTHER, USER), USER, NAME);

        assertEquals(Map.of("publisher", DELETED), changes);
    }

    @Test
    void rewritesEveryTargetWhenTheUserBothCreatedAndPublished() {
        Map<String, Object> changes = sunbird.changes(contentNode(USER, USER), USER, NAME);

        assertEquals(Set.of("creator", "originData", "publisher"), changes.keySet());
        assertEquals(DELETED, changes.get("publisher"));
    }

    @Test
    void leavesContentOfOtherUsersAlone() {
        assertEquals(Map.of(), sunbird.changes(contentNode(OTHER, OTHER), USER, NAME));
    }

    @Test
    void leavesContentWithoutSearchKeysAlone() {
        assertEquals(Map.of(), sunbird.changes(map("IL_UNIQUE_ID", "do_1", "creator", NAME), USER, NAME));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5A587CC1-E018-4859-A0A8-E842650B9D64", " 5a587cc1-e018-4859-a0a8-e842650b9d64",
            "5a587cc1-e018-4859-a0a8-e842650b9d64 ", "5a587cc1-e018-4859-a0a8-e842650b9d6", ""})
    void comparesTheUserIdByExactStringEquality(String createdBy) {
        assertEquals(Map.of(), sunbird.changes(contentNode(createdBy, OTHER), USER, NAME));
    }

    @Test
    void doesNotTreatANonStringSearchKeyAsTheUserId() {
        Map<String, Object> numericOwner = map("IL_UNIQUE_ID", "do_1", "createdBy", 42L, "creator", NAME);
        Map<String, Object> listOwner = map("IL_UNIQUE_ID", "do_1", "createdBy", List.of(USER), "creator", NAME);

        assertEquals(Map.of(), sunbird.changes(numericOwner, "42", NAME));
        assertEquals(Map.of(), sunbird.changes(listOwner, USER, NAME));
    }

    @Test
    void returnsOnlyTheTopLevelPropertiesThatChange() {
        Map<String, Object> alreadyScrubbed = map("IL_UNIQUE_ID", "do_1", "createdBy", USER, "creator", DELETED,
                "originData", originData(NAME), "name", "Fractions");

        assertEquals(Map.of("originData", originData(DELETED)), sunbird.changes(alreadyScrubbed, USER, NAME));
    }

    @Test
    void returnsNothingOnceScrubbed() {
        Map<String, Object> node = new LinkedHashMap<>(contentNode(USER, USER));
        node.putAll(sunbird.changes(node, USER, NAME));

        assertEquals(Map.of(), sunbird.changes(node, USER, NAME));
    }

    @Test
    void doesNotMutateItsInput() {
        Map<String, Object> creatorMap = new LinkedHashMap<>(Map.of("id", USER, "name", NAME));
        Map<String, Object> origin = new LinkedHashMap<>(Map.of("creator", creatorMap, "copyType", "deep"));
        List<Object> publishers = new ArrayList<>(List.of(NAME, OTHER_NAME));
        Map<String, Object> source = new LinkedHashMap<>(Map.of("createdBy", USER, "lastPublishedBy", USER,
                "creator", NAME, "originData", origin, "publisher", publishers));
        String before = source.toString();

        Map<String, Object> changes = sunbird.changes(source, USER, NAME);

        assertEquals(Set.of("creator", "originData", "publisher"), changes.keySet());
        assertEquals(before, source.toString());
        assertEquals(NAME, creatorMap.get("name"));
        assertEquals(List.of(NAME, OTHER_NAME), publishers);
    }

    @Test
    void acceptsImmutableInputs() {
        Map<String, Object> source = Map.of("createdBy", USER, "creator", List.of(NAME),
                "originData", Map.of("creator", Map.of("name", NAME)));

        Map<String, Object> changes = sunbird.changes(source, USER, NAME);

        assertEquals(List.of(DELETED), changes.get("creator"));
        assertEquals(Map.of("creator", Map.of("name", DELETED)), changes.get("originData"));
    }

    @Test
    void returnsNoChangesForEmptyOrMissingMetadata() {
        assertEquals(Map.of(), sunbird.changes(Map.of(), USER, NAME));
        assertEquals(Map.of(), sunbird.changes(null, USER, NAME));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void refusesABlankUserId(String userId) {
        Map<String, Object> ownerless = map("createdBy", userId, "creator", NAME);

        assertThrows(IllegalArgumentException.class, () -> sunbird.changes(ownerless, userId, NAME));
        assertThrows(IllegalArgumentException.class, () -> sunbird.rewriteTree(JSON.createObjectNode(), userId, NAME));
        assertThrows(IllegalArgumentException.class, () -> sunbird.rewrite(JSON.createObjectNode(), userId, NAME));
    }

    @Test
    void refusesAMissingUserId() {
        assertThrows(IllegalArgumentException.class, () -> sunbird.changes(contentNode(USER, USER), null, NAME));
        assertThrows(IllegalArgumentException.class, () -> sunbird.rewriteTree(JSON.createObjectNode(), null, NAME));
    }

    // ---------------------------------------------------------------- plain strings, non-strings, missing fields

    @Test
    void rewritesAPlainStringRegardlessOfItsContent() {
        Map<String, Object> node = map("createdBy", USER, "creator", "A. Lovelace (née Byron)");

        assertEquals(Map.of("creator", DELETED), sunbird.changes(node, USER, NAME));
    }

    @Test
    void rewritesPlainStringsEvenWithoutAName() {
        assertEquals(DELETED, sunbird.changes(contentNode(USER, OTHER), USER, (String) null).get("creator"));
    }

    @Test
    void rewritesAnEmptyString() {
        assertEquals(Map.of("creator", DELETED), sunbird.changes(map("createdBy", USER, "creator", ""), USER, NAME));
    }

    @Test
    void leavesNonStringValuesAlone() {
        List<Map<String, Object>> nodes = List.of(
                map("createdBy", USER, "creator", 42),
                map("createdBy", USER, "creator", 4.2),
                map("createdBy", USER, "creator", true),
                map("createdBy", USER, "creator", null),
                map("createdBy", USER, "creator", Map.of("name", NAME)),
                map("createdBy", USER, "originData", Map.of("creator", Map.of("name", 7))),
                map("createdBy", USER, "originData", Map.of("creator", Map.of("name", false))),
                map("createdBy", USER, "originData", "{\"creator\":{\"name\":12}}"),
                map("createdBy", USER, "originData", "{\"creator\":{\"name\":null}}"),
                map("createdBy", USER, "originData", "{\"creator\":{\"name\":{\"first\":\"Ada\"}}}"));

        for (Map<String, Object> node : nodes) {
            assertEquals(Map.of(), sunbird.changes(node, USER, NAME), node.toString());
        }
    }

    @Test
    void doesNotCreateMissingFields() {
        Map<String, Object> bare = map("IL_UNIQUE_ID", "do_1", "createdBy", USER, "lastPublishedBy", USER);
        Map<String, Object> noCreatorInOrigin = map("createdBy", USER, "originData", "{\"copyType\":\"deep\"}");
        Map<String, Object> noNameInOrigin = map("createdBy", USER, "originData", Map.of("creator", Map.of("id", USER)));

        assertEquals(Map.of(), sunbird.changes(bare, USER, NAME));
        assertEquals(Map.of(), sunbird.changes(noCreatorInOrigin, USER, NAME));
        assertEquals(Map.of(), sunbird.changes(noNameInOrigin, USER, NAME));
    }

    @Test
    void doesNotReachThroughValuesThatAreNotObjects() {
        List<Map<String, Object>> nodes = List.of(
                map("createdBy", USER, "originData", 5),
                map("createdBy", USER, "originData", List.of(Map.of("creator", Map.of("name", NAME)))),
                map("createdBy", USER, "originData", Map.of("creator", "{\"name\"")),
                map("createdBy", USER, "originData", Map.of("creator", List.of(NAME))));

        for (Map<String, Object> node : nodes) {
            assertEquals(Map.of(), sunbird.changes(node, USER, NAME), node.toString());
        }
    }

    // ---------------------------------------------------------------- JSON strings and nested maps

    @Test
    void rewritesInsideAPropertyThatHoldsAJsonString() throws Exception {
        Map<String, Object> node = map("createdBy", USER, "originData",
                "{\n  \"creator\" : { \"id\" : \"" + USER + "\", \"name\" : \"" + NAME + "\" },\n  \"copyType\" : \"deep\"\n}");

        String rewritten = (String) sunbird.changes(node, USER, NAME).get("originData");

        assertEquals("{\"creator\":{\"id\":\"" + USER + "\",\"name\":\"Deleted User\"},\"copyType\":\"deep\"}",
                rewritten);
        assertEquals(DELETED, JSON.readTree(rewritten).at("/creator/name").textValue());
    }

    @Test
    void keepsTheOtherContentOfAJsonStringIntact() {
        String original = "{\"creator\":{\"name\":\"Ada Lovelace\",\"roles\":[\"CONTENT_CREATOR\",\"REVIEWER\"]},"
                + "\"pkgVersion\":1.10,\"size\":12345678901234567890,\"ratio\":2.5e-3,\"title\":\"Fractions – ½ \\\"quoted\\\"\","
                + "\"flags\":[true,false,null],\"empty\":{}}";
        String expected = original.replace("Ada Lovelace", DELETED);

        Object rewritten = sunbird.changes(map("createdBy", USER, "originData", original), USER, NAME).get("originData");

        assertEquals(expected.replace("2.5e-3", "0.0025"), rewritten);
    }

    @Test
    void leavesTheJsonStringUntouchedWhenNothingInsideChanges() {
        String pretty = "{ \"creator\" : { \"name\" : \"Deleted User\" } }";

        assertEquals(Map.of(), sunbird.changes(map("createdBy", USER, "originData", pretty), USER, NAME));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{creator: {name: 'Ada Lovelace'}}", "{\"creator\":{\"name\":\"Ada Lovelace\"}",
            "{\"creator\":{\"name\":\"Ada Lovelace\"}} trailing", "{\"creator\":{\"name\":\"Ada Lovelace\"}}{}",
            "Ada Lovelace", "", "   "})
    void leavesAStringThatIsNotValidJsonAlone(String originData) {
        assertEquals(Map.of(), sunbird.changes(map("createdBy", USER, "originData", originData), USER, NAME));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{\"creator\":{\"name\":\"Ada Lovelace\"}}]", "\"Ada Lovelace\"", "42", "true", "null"})
    void leavesAJsonStringThatIsNotAnObjectAlone(String originData) {
        assertEquals(Map.of(), sunbird.changes(map("createdBy", USER, "originData", originData), USER, NAME));
    }

    @Test
    void rewritesThroughNestedMaps() {
        Map<String, Object> source = map("createdBy", USER, "originData",
                Map.of("copyType", "deep", "creator", Map.of("id", USER, "name", NAME)));

        Object rewritten = sunbird.changes(source, USER, NAME).get("originData");

        assertEquals(Map.of("copyType", "deep", "creator", Map.of("id", USER, "name", DELETED)), rewritten);
    }

    @Test
    void rewritesAJsonStringHeldInsideANestedMap() {
        Map<String, Object> source = map("createdBy", USER,
                "originData", Map.of("copyType", "deep", "creator", "{\"name\":\"Ada Lovelace\",\"id\":\"u1\"}"));

        Object rewritten = sunbird.changes(source, USER, NAME).get("originData");

        assertEquals(Map.of("copyType", "deep", "creator", "{\"name\":\"Deleted User\",\"id\":\"u1\"}"), rewritten);
    }

    @Test
    void rewritesAJsonStringHeldInsideAJsonString() throws Exception {
        String inner = "{\"name\":\"Ada Lovelace\"}";
        String outer = JSON.writeValueAsString(Map.of("creator", inner));

        String rewritten = (String) sunbird.changes(map("createdBy", USER, "originData", outer), USER, NAME)
                .get("originData");

        assertEquals("{\"name\":\"Deleted User\"}", JSON.readTree(rewritten).get("creator").textValue());
    }

    // ---------------------------------------------------------------- arrays

    @Test
    void replacesEveryArrayElementEqualToTheName() {
        Map<String, Object> node = map("createdBy", USER, "creator", List.of(NAME, OTHER_NAME, NAME));

        assertEquals(Map.of("creator", List.of(DELETED, OTHER_NAME, DELETED)), sunbird.changes(node, USER, NAME));
    }

    @Test
    void matchesArrayElementsExactly() {
        Map<String, Object> node = map("createdBy", USER,
                "creator", Arrays.asList("ada lovelace", NAME + " ", "Ada", 42, null, Map.of("name", NAME), NAME));

        Object rewritten = sunbird.changes(node, USER, NAME).get("creator");

        assertEquals(Arrays.asList("ada lovelace", NAME + " ", "Ada", 42, null, Map.of("name", NAME), DELETED),
                rewritten);
    }

    @Test
    void leavesArraysAloneWithoutAName() {
        Map<String, Object> node = map("createdBy", USER, "creator", List.of(NAME),
                "originData", "{\"creator\":{\"name\":[\"Ada Lovelace\"]}}");

        assertEquals(Map.of(), sunbird.changes(node, USER, (String) null));
    }

    @Test
    void leavesArraysWithoutTheNameAlone() {
        Map<String, Object> node = map("createdBy", USER, "creator", List.of(OTHER_NAME), "publisher", List.of());

        assertEquals(Map.of(), sunbird.changes(node, USER, NAME));
    }

    @Test
    void rewritesArraysInsideJsonStrings() {
        Map<String, Object> node = map("createdBy", USER,
                "originData", "{\"creator\":{\"name\":[\"Ada Lovelace\",\"Grace Hopper\"]}}");

        assertEquals("{\"creator\":{\"name\":[\"Deleted User\",\"Grace Hopper\"]}}",
                sunbird.changes(node, USER, NAME).get("originData"));
    }

    // ---------------------------------------------------------------- masking strategies

    @Test
    void replacesWithTheConfiguredReplacement() {
        FieldRewriter rewriter = FieldRewriter.fromSettings(sunbirdSettings(), "[removed]", null);

        Map<String, Object> changes = rewriter.changes(contentNode(USER, USER), USER, NAME);

        assertEquals("[removed]", changes.get("creator"));
        assertEquals("[removed]", changes.get("publisher"));
        assertEquals(originData("[removed]"), changes.get("originData"));
    }

    @Test
    void replacesWithDeletedUserByDefault() {
        FieldRewriter rewriter = FieldRewriter.fromSettings(sunbirdSettings(), null, null);

        assertEquals(DELETED, rewriter.replacement());
        assertEquals(DELETED, rewriter.changes(contentNode(USER, OTHER), USER, NAME).get("creator"));
    }

    @Test
    void removesATopLevelPropertyWithTheNullStrategy() {
        FieldRewriter rewriter = rewriter("createdBy", "creator:null");

        Map<String, Object> changes = rewriter.changes(contentNode(USER, OTHER), USER, NAME);

        assertEquals(Set.of("creator"), changes.keySet());
        assertTrue(changes.containsKey("creator"));
        assertNull(changes.get("creator"));
    }

    @Test
    void removesANestedKeyWithTheNullStrategy() {
        FieldRewriter rewriter = rewriter("createdBy", "originData.creator.name:null");
        Map<String, Object> neo4j = map("createdBy", USER, "originData", "{\"creator\":{\"id\":\"u1\",\"name\":\"Ada\"}}");
        Map<String, Object> elastic = map("createdBy", USER,
                "originData", Map.of("creator", Map.of("id", "u1", "name", "Ada")));

        assertEquals(Map.of("originData", "{\"creator\":{\"id\":\"u1\"}}"), rewriter.changes(neo4j, USER, NAME));
        assertEquals(Map.of("originData", Map.of("creator", Map.of("id", "u1"))), rewriter.changes(elastic, USER, NAME));
    }

    @Test
    void removesMatchingArrayElementsWithTheNullStrategy() {
        FieldRewriter rewriter = rewriter("createdBy", "creator:null");

        Map<String, Object> changes = rewriter.changes(
                map("createdBy", USER, "creator", List.of(NAME, OTHER_NAME, NAME)), USER, NAME);

        assertEquals(Map.of("creator", List.of(OTHER_NAME)), changes);
    }

    @Test
    void hashesWithHmacSha256() throws Exception {
        // RFC 4231, test case 2
        FieldRewriter rfc = FieldRewriter.fromSettings(Map.of("createdBy", "creator:hash"), DELETED, "Jefe");
        Map<String, Object> node = map("createdBy", USER, "creator", "what do ya want for nothing?");

        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                rfc.changes(node, USER, NAME).get("creator"));

        FieldRewriter rewriter = rewriter("createdBy", "creator:hash, originData.creator.name:hash");
        Map<String, Object> changes = rewriter.changes(contentNode(USER, OTHER), USER, NAME);
        assertEquals(hmac(SECRET, NAME), changes.get("creator"));
        assertEquals(originData(hmac(SECRET, NAME)), changes.get("originData"));
    }

    @Test
    void hashesAsLowerCaseHexThatDependsOnTheSecret() {
        Map<String, Object> node = map("createdBy", USER, "creator", NAME);
        String hashed = (String) rewriter("createdBy", "creator:hash").changes(node, USER, NAME).get("creator");
        String otherSecret = (String) FieldRewriter.fromSettings(Map.of("createdBy", "creator:hash"), DELETED, "another")
                .changes(node, USER, NAME).get("creator");

        assertTrue(hashed.matches("[0-9a-f]{64}"), hashed);
        assertEquals(hashed, rewriter("createdBy", "creator:hash").changes(node, USER, NAME).get("creator"));
        assertNotEquals(hashed, otherSecret);
    }

    @Test
    void hashesMatchingArrayElements() throws Exception {
        FieldRewriter rewriter = rewriter("createdBy", "creator:hash");

        Map<String, Object> changes = rewriter.changes(map("createdBy", USER, "creator", List.of(NAME, OTHER_NAME)),
                USER, NAME);

        assertEquals(Map.of("creator", List.of(hmac(SECRET, NAME), OTHER_NAME)), changes);
    }

    @Test
    void appliesEachStrategyToItsOwnTarget() throws Exception {
        FieldRewriter rewriter = rewriter("createdBy", "creator:null, originData.creator.name:hash");
        rewriter = new FieldRewriter(List.of(rewriter.rules().get(0), rewriter.rules().get(1),
                new FieldRule("lastPublishedBy", "publisher")), DELETED, SECRET);

        Map<String, Object> changes = rewriter.changes(contentNode(USER, USER), USER, NAME);

        assertNull(changes.get("creator"));
        assertEquals(originData(hmac(SECRET, NAME)), changes.get("originData"));
        assertEquals(DELETED, changes.get("publisher"));
    }

    @Test
    void masksATargetSharedByTwoMatchingKeysOnlyOnce() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("createdBy", "creator:hash");
        settings.put("lastPublishedBy", "creator:hash, publisher");
        FieldRewriter rewriter = FieldRewriter.fromSettings(settings, DELETED, SECRET);

        Map<String, Object> changes = rewriter.changes(contentNode(USER, USER), USER, NAME);

        assertEquals(hmac(SECRET, NAME), changes.get("creator"));
        assertEquals(DELETED, changes.get("publisher"));
    }

    @Test
    void refusesHashWithoutSecret() {
        for (String secret : Arrays.asList(null, "", "  ")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> FieldRewriter
                    .fromSettings(Map.of("createdBy", "creator, originData.creator.name:hash"), DELETED, secret));
            assertTrue(error.getMessage().contains("originData.creator.name"), error.getMessage());
            assertTrue(error.getMessage().contains("hash"), error.getMessage());
        }
    }

    @Test
    void needsNoSecretWhenNoTargetIsHashed() {
        assertEquals(3, FieldRewriter.fromSettings(sunbirdSettings(), DELETED, null).rules().size());
    }

    @Test
    void neverRevealsTheSecretOrAValue() {
        FieldRewriter rewriter = rewriter("createdBy", "creator:hash");
        rewriter.changes(contentNode(USER, USER), USER, NAME);

        assertFalse(rewriter.toString().contains(SECRET), rewriter.toString());
        assertEquals("FieldRewriter[createdBy -> creator:hash]", rewriter.toString());
    }

    // ---------------------------------------------------------------- settings

    @Test
    void parsesCommaSeparatedTargetsWithOptionalStrategies() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("createdBy", "creator, originData.creator.name:hash ,originData.creator.id : NULL");
        settings.put("lastPublishedBy", "publisher:Replace");

        FieldRewriter rewriter = FieldRewriter.fromSettings(settings, DELETED, SECRET);

        assertEquals(List.of(
                new FieldRule("createdBy", "creator", MaskingStrategy.REPLACE),
                new FieldRule("createdBy", "originData.creator.name", MaskingStrategy.HASH),
                new FieldRule("createdBy", "originData.creator.id", MaskingStrategy.NULL),
                new FieldRule("lastPublishedBy", "publisher", MaskingStrategy.REPLACE)), rewriter.rules());
        assertEquals(List.of("createdBy", "lastPublishedBy"), List.copyOf(rewriter.searchKeys()));
    }

    @Test
    void ignoresBlankEntries() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("createdBy", " , creator,, ,originData.creator.name, ");
        settings.put("lastPublishedBy", "   ");
        settings.put("lastUpdatedBy", "");
        settings.put("", " ");

        FieldRewriter rewriter = FieldRewriter.fromSettings(settings, DELETED, null);

        assertEquals(List.of(new FieldRule("createdBy", "creator"), new FieldRule("createdBy", "originData.creator.name")),
                rewriter.rules());
        assertEquals(Set.of("createdBy"), rewriter.searchKeys());
    }

    @Test
    void trimsSearchKeys() {
        assertEquals(Set.of("createdBy"), FieldRewriter.fromSettings(Map.of(" createdBy ", "creator"), null, null)
                .searchKeys());
    }

    @Test
    void rejectsAnUnknownStrategy() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FieldRewriter.fromSettings(Map.of("createdBy", "creator:scramble"), DELETED, SECRET));

        assertTrue(error.getMessage().contains("createdBy"), error.getMessage());
        assertTrue(error.getMessage().contains("scramble"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"creator:", "creator: ", "creator:hash:null"})
    void rejectsAMalformedStrategy(String targets) {
        assertThrows(IllegalArgumentException.class,
                () -> FieldRewriter.fromSettings(Map.of("createdBy", targets), DELETED, SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"originData..name", ".creator", "creator.", ":hash", "origin Data. creator"})
    void rejectsAMalformedTarget(String targets) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FieldRewriter.fromSettings(Map.of("createdBy", targets), DELETED, SECRET));

        assertTrue(error.getMessage().contains("createdBy"), error.getMessage());
    }

    @Test
    void rejectsEmptyRules() {
        Map<String, String> blank = new LinkedHashMap<>();
        blank.put("createdBy", " , ");
        blank.put("lastPublishedBy", null);

        assertThrows(IllegalArgumentException.class, () -> FieldRewriter.fromSettings(Map.of(), DELETED, null));
        assertThrows(IllegalArgumentException.class, () -> FieldRewriter.fromSettings(null, DELETED, null));
        assertThrows(IllegalArgumentException.class, () -> FieldRewriter.fromSettings(blank, DELETED, null));
        assertThrows(IllegalArgumentException.class, () -> new FieldRewriter(List.of(), DELETED, null));
    }

    @Test
    void rejectsTargetsUnderABlankSearchKey() {
        assertThrows(IllegalArgumentException.class,
                () -> FieldRewriter.fromSettings(Map.of(" ", "creator"), DELETED, null));
    }

    @Test
    void rejectsATargetListedTwiceForOneSearchKey() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FieldRewriter.fromSettings(Map.of("createdBy", "creator, creator:hash"), DELETED, SECRET));

        assertTrue(error.getMessage().contains("creator"), error.getMessage());
    }

    @Test
    void namesStrategiesCaseInsensitively() {
        assertEquals(MaskingStrategy.HASH, MaskingStrategy.named(" HaSh ").orElseThrow());
        assertEquals(MaskingStrategy.NULL, MaskingStrategy.named("null").orElseThrow());
        assertEquals(MaskingStrategy.REPLACE, MaskingStrategy.named("REPLACE").orElseThrow());
        assertTrue(MaskingStrategy.named("remove").isEmpty());
        assertTrue(MaskingStrategy.named(null).isEmpty());
    }

    @Test
    void exposesTheTargetPath() {
        assertEquals(List.of("originData", "creator", "name"), new FieldRule("createdBy", "originData.creator.name").path());
        assertEquals(List.of("creator"), new FieldRule("createdBy", "creator").path());
    }

    // ---------------------------------------------------------------- hierarchy JSON

    private static final String HIERARCHY = """
            {'identifier':'do_course','IL_UNIQUE_ID':'do_course','objectType':'Collection','createdBy':'%1$s',
             'creator':'Ada Lovelace','lastPublishedBy':'%2$s','publisher':'Grace Hopper',
             'originData':'{\\'creator\\':{\\'name\\':\\'Ada Lovelace\\'}}',
             'children':[
               {'identifier':'do_unit1','objectType':'Collection','visibility':'Parent','createdBy':'%2$s',
                'creator':'Grace Hopper','children':[
                  {'identifier':'do_res1','objectType':'Content','createdBy':'%1$s','creator':'Ada Lovelace',
                   'children':[
                     {'identifier':'do_res2','createdBy':'%1$s','creator':'Ada Lovelace','children':[]}]},
                  {'identifier':'do_res3','createdBy':'%2$s','creator':'Grace Hopper','lastPublishedBy':'%1$s',
                   'publisher':'Ada Lovelace'}]}]}
            """;

    private static JsonNode hierarchy() throws Exception {
        return tree(HIERARCHY.formatted(USER, OTHER));
    }

    private static JsonNode byId(JsonNode root, String identifier) {
        if (identifier.equals(root.path("identifier").asText())) {
            return root;
        }
        for (JsonNode child : root) {
            if (child.isContainerNode()) {
                JsonNode found = byId(child, identifier);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Test
    void rewritesNestedChildrenAtAnyDepth() throws Exception {
        JsonNode root = hierarchy();

        assertEquals(4, sunbird.rewriteTree(root, USER, NAME));

        assertAll(
                () -> assertEquals(DELETED, root.get("creator").textValue()),
                () -> assertEquals("{\"creator\":{\"name\":\"Deleted User\"}}", root.get("originData").textValue()),
                () -> assertEquals(OTHER_NAME, root.get("publisher").textValue()),
                () -> assertEquals(OTHER_NAME, byId(root, "do_unit1").get("creator").textValue()),
                () -> assertEquals(DELETED, byId(root, "do_res1").get("creator").textValue()),
                () -> assertEquals(DELETED, byId(root, "do_res2").get("creator").textValue()),
                () -> assertEquals(OTHER_NAME, byId(root, "do_res3").get("creator").textValue()),
                () -> assertEquals(DELETED, byId(root, "do_res3").get("publisher").textValue()));
    }

    @Test
    void leavesHierarchiesOfOtherUsersAlone() throws Exception {
        JsonNode root = tree(HIERARCHY.formatted(OTHER, OTHER));
        JsonNode before = root.deepCopy();

        assertEquals(0, sunbird.rewriteTree(root, USER, NAME));
        assertEquals(before, root);
    }

    @Test
    void rewritesObjectsNestedAnywhereNotOnlyInChildren() throws Exception {
        JsonNode root = tree("""
                {'identifier':'do_course','createdBy':'%2$s','creator':'Grace Hopper',
                 'relatedContent':{'createdBy':'%1$s','creator':'Ada Lovelace'},
                 'sections':[[{'meta':{'createdBy':'%1$s','creator':'Ada Lovelace'}}]]}
                """.formatted(USER, OTHER));

        assertEquals(2, sunbird.rewriteTree(root, USER, NAME));

        assertEquals(OTHER_NAME, root.get("creator").textValue());
        assertEquals(DELETED, root.at("/relatedContent/creator").textValue());
        assertEquals(DELETED, root.at("/sections/0/0/meta/creator").textValue());
    }

    @Test
    void rewritesTheNestedTargetsOfTreeObjects() throws Exception {
        JsonNode root = tree("""
                {'createdBy':'%1$s','originData':{'creator':{'name':'Ada Lovelace','id':'%1$s'}},
                 'children':[{'createdBy':'%1$s','originData':'{\\'creator\\':{\\'name\\':[\\'Ada Lovelace\\',\\'Grace Hopper\\']}}'}]}
                """.formatted(USER));

        assertEquals(2, sunbird.rewriteTree(root, USER, NAME));

        assertEquals(DELETED, root.at("/originData/creator/name").textValue());
        assertEquals(USER, root.at("/originData/creator/id").textValue());
        assertEquals("{\"creator\":{\"name\":[\"Deleted User\",\"Grace Hopper\"]}}",
                root.at("/children/0/originData").textValue());
    }

    @Test
    void replacesEveryArrayElementEqualToTheNameInTheTree() throws Exception {
        JsonNode root = tree("{'createdBy':'%s','creator':['Ada Lovelace','Grace Hopper','Ada Lovelace',7]}"
                .formatted(USER));

        assertEquals(1, sunbird.rewriteTree(root, USER, NAME));
        assertEquals(tree("['Deleted User','Grace Hopper','Deleted User',7]"), root.get("creator"));

        JsonNode nameless = tree("{'createdBy':'%s','creator':['Ada Lovelace']}".formatted(USER));
        assertEquals(0, sunbird.rewriteTree(nameless, USER, null));
    }

    @Test
    void countsOnlyObjectsThatActuallyChange() throws Exception {
        JsonNode root = hierarchy();
        sunbird.rewriteTree(root, USER, NAME);
        JsonNode scrubbed = root.deepCopy();

        assertEquals(0, sunbird.rewriteTree(root, USER, NAME));
        assertEquals(scrubbed, root);
    }

    @Test
    void leavesNonStringValuesAloneInTheTree() throws Exception {
        JsonNode root = tree("""
                {'createdBy':'%1$s','creator':42,'children':[{'createdBy':'%1$s','creator':null},
                 {'createdBy':'%1$s','creator':{'name':'Ada Lovelace'}},{'createdBy':'%1$s','creator':false},
                 {'createdBy':'%1$s','originData':'not json'},{'createdBy':'%1$s'}]}
                """.formatted(USER));
        JsonNode before = root.deepCopy();

        assertEquals(0, sunbird.rewriteTree(root, USER, NAME));
        assertEquals(before, root);
    }

    @Test
    void doesNotTreatANonStringSearchKeyAsTheUserIdInTheTree() throws Exception {
        JsonNode root = tree("{'createdBy':42,'creator':'Ada Lovelace','children':[{'createdBy':['%s'],'creator':'x'}]}"
                .formatted(USER));

        assertEquals(0, sunbird.rewriteTree(root, "42", NAME));
        assertEquals(0, sunbird.rewriteTree(root, USER, NAME));
    }

    @Test
    void removesKeysAndElementsInTheTreeWithTheNullStrategy() throws Exception {
        FieldRewriter rewriter = rewriter("createdBy", "creator:null, contributors:null, originData.creator.name:null");
        JsonNode root = tree("""
                {'createdBy':'%s','creator':'Ada Lovelace','contributors':['Ada Lovelace','Grace Hopper'],
                 'originData':'{\\'creator\\':{\\'name\\':\\'Ada\\',\\'id\\':\\'u1\\'}}'}
                """.formatted(USER));

        assertEquals(1, rewriter.rewriteTree(root, USER, NAME));

        assertFalse(root.has("creator"));
        assertEquals(tree("['Grace Hopper']"), root.get("contributors"));
        assertEquals("{\"creator\":{\"id\":\"u1\"}}", root.get("originData").textValue());
    }

    @Test
    void hashesInTheTree() throws Exception {
        FieldRewriter rewriter = rewriter("createdBy", "creator:hash");
        JsonNode root = tree("{'createdBy':'%s','creator':'Ada Lovelace'}".formatted(USER));

        assertEquals(1, rewriter.rewriteTree(root, USER, NAME));
        assertEquals(hmac(SECRET, NAME), root.get("creator").textValue());
    }

    @Test
    void keepsAHashOnTheSecondRunSoARerunChangesNothing() throws Exception {
        FieldRewriter rewriter = rewriter("createdBy", "creator:hash, originData.creator.name:hash");
        Map<String, Object> node = new LinkedHashMap<>(contentNode(USER, OTHER));
        node.putAll(rewriter.changes(node, USER, NAME));

        assertEquals(Map.of(), rewriter.changes(node, USER, NAME));

        JsonNode root = tree("{'createdBy':'%s','creator':'Ada Lovelace'}".formatted(USER));
        rewriter.rewriteTree(root, USER, NAME);
        JsonNode once = root.deepCopy();
        assertEquals(0, rewriter.rewriteTree(root, USER, NAME));
        assertEquals(once, root);
    }

    @Test
    void rewritesOnlyTheTreeObjectsItIsToldTo() throws Exception {
        JsonNode root = tree(("{'identifier':'do_1','createdBy':'%1$s','creator':'Ada Lovelace','status':'Retired',"
                + "'children':[{'identifier':'do_2','createdBy':'%1$s','creator':'Ada Lovelace','status':'Live'}]}")
                .formatted(USER));

        assertEquals(1, sunbird.rewriteTree(root, USER, NAME,
                object -> !"Retired".equals(object.path("status").asText())));
        assertEquals(NAME, root.get("creator").textValue());
        assertEquals(DELETED, root.get("children").get(0).get("creator").textValue());
    }

    @Test
    void doesNotCreateMissingFieldsInTheTree() throws Exception {
        JsonNode root = tree("{'createdBy':'%1$s','lastPublishedBy':'%1$s','originData':{'copyType':'deep'}}"
                .formatted(USER));
        JsonNode before = root.deepCopy();

        assertEquals(0, sunbird.rewriteTree(root, USER, NAME));
        assertEquals(before, root);
    }

    @Test
    void acceptsAnyRoot() throws Exception {
        assertEquals(0, sunbird.rewriteTree(null, USER, NAME));
        assertEquals(0, sunbird.rewriteTree(tree("'text'"), USER, NAME));
        assertEquals(0, sunbird.rewriteTree(tree("[]"), USER, NAME));
        JsonNode array = tree("[{'createdBy':'%s','creator':'Ada'}]".formatted(USER));
        assertEquals(1, sunbird.rewriteTree(array, USER, NAME));
        assertEquals(DELETED, array.at("/0/creator").textValue());
    }

    @Test
    void rewritesOneObjectWithoutItsNestedObjects() throws Exception {
        ObjectNode node = (ObjectNode) tree("{'createdBy':'%1$s','creator':'Ada','children':[{'createdBy':'%1$s','creator':'Ada'}]}"
                .formatted(USER));

        assertTrue(sunbird.rewrite(node, USER, NAME));
        assertEquals(DELETED, node.get("creator").textValue());
        assertEquals("Ada", node.at("/children/0/creator").textValue());
        assertFalse(sunbird.rewrite(node, USER, NAME));
        assertFalse(sunbird.rewrite(null, USER, NAME));
    }

    @Test
    void treatsTheTreeAndTheMapAlike() throws Exception {
        Map<String, Object> node = contentNode(USER, USER);
        ObjectNode json = JSON.valueToTree(node);

        Map<String, Object> changes = sunbird.changes(node, USER, NAME);
        sunbird.rewriteTree(json, USER, NAME);

        for (Map.Entry<String, Object> change : changes.entrySet()) {
            assertEquals(change.getValue(), json.get(change.getKey()).textValue(), change.getKey());
        }
    }

    @Test
    void exposesTheSearchKeys() {
        assertEquals(List.of("createdBy", "lastPublishedBy"), List.copyOf(sunbird.searchKeys()));
        assertThrows(UnsupportedOperationException.class, () -> sunbird.searchKeys().add("x"));
        assertSame(sunbird.searchKeys(), sunbird.searchKeys());
    }
}
