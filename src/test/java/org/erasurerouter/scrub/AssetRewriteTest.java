package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.ledger.NameFingerprint;
import org.junit.jupiter.api.Test;

class AssetRewriteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FROM = "u-from";
    private static final String TO = "u-to";
    private static final FieldRewriter SUNBIRD = FieldRewriter.fromSettings(
            new java.util.TreeMap<>(Map.of("createdBy", "creator, originData.creator.name", "lastPublishedBy", "publisher")),
            "Deleted User", null);
    private static final AssetRewrites REWRITES = new AssetRewrites(SUNBIRD, "createdBy", ".img");

    private static ErasureRequest deletion() {
        return new ErasureRequest("r1", ErasureRequest.DELETE_USER, FROM, "org", 0, "Ada Lovelace", null, null, List.of());
    }

    private static ErasureRequest transfer(String toName, String... assets) {
        return new ErasureRequest("r2", ErasureRequest.OWNERSHIP_TRANSFER, FROM, "org", 0, "Ada Lovelace", TO, toName,
                List.of(assets));
    }

    private static Map<String, Object> asset(String status) {
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("status", status);
        asset.put("createdBy", FROM);
        asset.put("creator", "Ada Lovelace");
        asset.put("originData", "{\"creator\":{\"name\":\"Ada Lovelace\"}}");
        asset.put("lastPublishedBy", FROM);
        asset.put("publisher", "Ada Lovelace");
        return asset;
    }

    @Test
    void masksEveryTargetOfADeletedUsersAsset() {
        assertEquals(Map.of("creator", "Deleted User", "originData", "{\"creator\":{\"name\":\"Deleted User\"}}",
                "publisher", "Deleted User"), REWRITES.erasure(deletion()).changes("do_1", asset("Live"), Set.of()));
    }

    @Test
    void readsOnlyTheFieldsItsRulesNeedAndGivesTheSameChangesFromThem() {
        AssetRewrite erasure = REWRITES.erasure(deletion());
        assertEquals(Set.of("createdBy", "lastPublishedBy", "creator", "originData", "publisher", "status"), erasure.fieldsRead());
        Map<String, Object> node = new LinkedHashMap<>(asset("Live"));
        node.put("name", "Ada's course");
        node.put("description", "by Ada Lovelace");
        Map<String, Object> read = new LinkedHashMap<>(node);
        read.keySet().retainAll(erasure.fieldsRead());
        assertEquals(erasure.changes("do_1", node, Set.of()), erasure.changes("do_1", read, Set.of()));
        assertEquals(Set.of("createdBy", "creator", "originData", "status"), REWRITES.transfer(transfer("Grace Hopper")).fieldsRead());
        assertEquals(erasure.fieldsRead(), AssetRewrite.batch(Map.of("r1", erasure,
                "r2", REWRITES.transfer(transfer("Grace Hopper"))), new java.util.HashMap<>()).fieldsRead());
    }

    @Test
    void leavesAnAssetWhoseStatusTheStoreSkips() {
        AssetRewrite erasure = REWRITES.erasure(deletion());
        assertEquals(Map.of(), erasure.changes("do_1", asset("Retired"), AssetRewrite.statuses("Retired, Unlisted")));
        assertFalse(erasure.changes("do_1", asset("Live"), AssetRewrite.statuses("Retired")).isEmpty());
    }

    @Test
    void transfersTheOwnerKeyAndItsNamesButNotThePublisher() {
        Map<String, Object> changes = REWRITES.transfer(transfer("Grace Hopper")).changes("do_1", asset("Live"), Set.of());
        assertEquals(Map.of("createdBy", TO, "creator", "Grace Hopper",
                "originData", "{\"creator\":{\"name\":\"Grace Hopper\"}}"), changes);
    }

    @Test
    void transfersOnlyTheNamedAssetAndItsDraft() {
        AssetRewrite transfer = REWRITES.transfer(transfer("Grace Hopper", "do_1"));
        assertEquals(Set.of("do_1", "do_1.img"), transfer.identifiers());
        assertFalse(transfer.changes("do_1.img", asset("Draft"), Set.of()).isEmpty());
        assertEquals(Map.of(), transfer.changes("do_2", asset("Live"), Set.of()));
        assertEquals(List.of(FROM, TO), transfer.owners(), "found under either owner, whichever store ran first");
        assertEquals(List.of("createdBy"), transfer.searchKeys());
    }

    @Test
    void writesTheReplacementWhenTheTransferGivesNoNewName() {
        assertEquals("Deleted User", REWRITES.transfer(transfer(null)).changes("do_1", asset("Live"), Set.of()).get("creator"));
    }

    @Test
    void writesTheReplacementNotTheNameOfANewOwnerWhoseDeletionIsRecorded() {
        assertEquals("Deleted User", REWRITES.transfer(transfer("Grace Hopper"), true).changes("do_1", asset("Live"), Set.of())
                .get("creator"));
        assertEquals("Grace Hopper", REWRITES.transfer(transfer("Grace Hopper"), false).changes("do_1", asset("Live"), Set.of())
                .get("creator"));
    }

    @Test
    void rewritesOnlyTheNamedEntriesOfAHierarchyAtAnyDepth() throws Exception {
        JsonNode tree = JSON.readTree("""
                {"identifier":"do_9","createdBy":"u-from","creator":"Ada Lovelace","children":[
                  {"identifier":"do_9_u1","children":[
                    {"identifier":"do_1","createdBy":"u-from","creator":"Ada Lovelace"},
                    {"identifier":"do_2","createdBy":"u-from","creator":"Ada Lovelace"}]}]}""");

        assertEquals(1, REWRITES.transfer(transfer("Grace Hopper", "do_1")).rewriteTree(tree, Set.of()));
        assertEquals("u-from", tree.get("createdBy").asText());
        JsonNode entries = tree.at("/children/0/children");
        assertEquals(TO, entries.get(0).get("createdBy").asText());
        assertEquals("Grace Hopper", entries.get(0).get("creator").asText());
        assertEquals("Ada Lovelace", entries.get(1).get("creator").asText());
    }

    @Test
    void handsOverWithANamedCollectionTheUnitsThePreviousOwnerCreatedInItButNotItsChildAssets() throws Exception {
        JsonNode tree = JSON.readTree("""
                {"identifier":"do_9","createdBy":"u-other","children":[
                  {"identifier":"do_1","createdBy":"u-from","creator":"Ada Lovelace","children":[
                    {"identifier":"do_1_u1","visibility":"Parent","createdBy":"u-from","creator":"Ada Lovelace","children":[
                      {"identifier":"do_1_u2","visibility":"Parent","createdBy":"u-from","creator":"Ada Lovelace"},
                      {"identifier":"do_2","visibility":"Default","createdBy":"u-from","creator":"Ada Lovelace","children":[
                        {"identifier":"do_2_u1","visibility":"Parent","createdBy":"u-from","creator":"Ada Lovelace"}]}]},
                    {"identifier":"do_1_u3","visibility":"Parent","createdBy":"u-coauthor","creator":"Grace Hopper"}]},
                  {"identifier":"do_9_u1","visibility":"Parent","createdBy":"u-from","creator":"Ada Lovelace"}]}""");
        AssetRewrites withUnits = new AssetRewrites(SUNBIRD, "createdBy", ".img", null, "visibility:Parent");

        assertEquals(3, withUnits.transfer(transfer("Mae Jemison", "do_1")).rewriteTree(tree, Set.of()));

        Map<String, String> owners = new LinkedHashMap<>();
        tree.findParents("identifier").forEach(entry -> owners.put(entry.get("identifier").asText(),
                entry.get("createdBy").asText() + "/" + entry.path("creator").asText()));
        assertEquals(Map.of("do_9", "u-other/", "do_1", TO + "/Mae Jemison", "do_1_u1", TO + "/Mae Jemison",
                "do_1_u2", TO + "/Mae Jemison", "do_2", "u-from/Ada Lovelace", "do_2_u1", "u-from/Ada Lovelace",
                "do_1_u3", "u-coauthor/Grace Hopper", "do_9_u1", "u-from/Ada Lovelace"), owners,
                "the named collection and its units, not a child asset of its own, its units, a co-author's or another collection's");
    }

    @Test
    void refusesAUnitMarkerThatIsNotFieldColonValue() {
        assertThrows(org.erasurerouter.InvalidSettingException.class,
                () -> new AssetRewrites(SUNBIRD, "createdBy", ".img", null, "visibility"));
    }

    @Test
    void keepsTheNamesOutOfItsStringForm() {
        String text = REWRITES.transfer(transfer("Grace Hopper")).toString();
        assertFalse(text.contains("Ada") || text.contains("Grace"), text);
        assertTrue(text.contains(FROM));
    }

    private static BulkResponseItem written(String id, Map<String, Object> stored) {
        Map<String, JsonData> source = new LinkedHashMap<>();
        stored.forEach((field, value) -> source.put(field, JsonData.of(value)));
        return BulkResponseItem.of(i -> i.operationType(OperationType.Update).index("compositesearch").id(id).status(200)
                .result("updated").get(g -> g.found(true).source(source)));
    }

    @Test
    void failsTheVerificationOfADocumentThatStillHoldsTheName() {
        // the bulk answers each updated document as stored after its update
        BulkResponseItem stale = written("do_1", asset("Live"));
        BulkResponseItem done = written("do_2", Map.of("createdBy", FROM, "creator", "Deleted User", "status", "Live"));
        SearchDocuments documents = new SearchDocuments();
        AssetRewrite erasure = REWRITES.erasure(deletion());

        CopiesRemainException left = assertThrows(CopiesRemainException.class,
                () -> documents.verify(List.of(stale, done), erasure, "", 2));
        assertEquals(1, left.copies());
        assertEquals("elasticsearch still holds the user's data in 1 record after rewriting", left.getMessage());
        assertEquals(2, documents.verify(List.of(done), erasure, "", 2));
        assertEquals(2, documents.verify(List.of(stale), erasure, "Live", 2), "a skipped status is not a copy left");
    }

    @Test
    void findsArrayCopiesOfTheNameByItsFingerprintWhenTheRequestComesFromTheLedger() {
        NameFingerprint fingerprints = new NameFingerprint("ledger-key".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ErasureRequest fromLedger = new ErasureRequest("r1", ErasureRequest.DELETE_USER, FROM, "org", 0, null, null, null,
                List.of(), List.of(), fingerprints.of("Ada Lovelace"));
        Map<String, Object> asset = asset("Live");
        asset.put("publisher", List.of("Ada Lovelace", "Sunbird Org"));

        Map<String, Object> changes = new AssetRewrites(SUNBIRD, "createdBy", ".img", fingerprints).erasure(fromLedger)
                .changes("do_1", asset, Set.of());

        assertEquals(List.of("Deleted User", "Sunbird Org"), changes.get("publisher"));
        assertEquals("Deleted User", changes.get("creator"));
    }

    @Test
    void aTransferReadBackFromTheLedgerFindsArrayCopiesOfThePreviousOwnersNameByItsFingerprint() {
        NameFingerprint fingerprints = new NameFingerprint("ledger-key".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ErasureRequest replayed = new ErasureRequest("r2", ErasureRequest.OWNERSHIP_TRANSFER, FROM, "org", 0, null, TO, null,
                List.of("do_1"), List.of(), fingerprints.of("Ada Lovelace"));
        Map<String, Object> asset = asset("Live");
        asset.put("creator", List.of("Ada Lovelace", "Sunbird Org"));

        Map<String, Object> changes = new AssetRewrites(SUNBIRD, "createdBy", ".img", fingerprints).transfer(replayed)
                .changes("do_1", asset, Set.of());

        assertEquals(List.of("Deleted User", "Sunbird Org"), changes.get("creator"),
                "the previous owner's name in an array is replaced (the ledger keeps no name of the new owner)");
        assertEquals(TO, changes.get("createdBy"));
    }

    @Test
    void leavesArraysAloneForALedgerRequestWithoutAFingerprint() {
        NameFingerprint fingerprints = new NameFingerprint(new byte[] {1, 2, 3});
        ErasureRequest fromLedger = new ErasureRequest("r1", ErasureRequest.DELETE_USER, FROM, "org", 0, null, null, null,
                List.of(), List.of(), null);
        Map<String, Object> asset = asset("Live");
        asset.put("publisher", List.of("Ada Lovelace"));

        assertEquals(Map.of("creator", "Deleted User", "originData", "{\"creator\":{\"name\":\"Deleted User\"}}"),
                new AssetRewrites(SUNBIRD, "createdBy", ".img", fingerprints).erasure(fromLedger).changes("do_1", asset, Set.of()));
    }

    @Test
    void asksTheGraphOnceForWhatTheStoresOfARequestShare() {
        AssetRewrite erasure = REWRITES.erasure(deletion());
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Supplier<List<String>> lookup = () -> List.of("do_" + asked.incrementAndGet());
        assertEquals(List.of("do_1"), erasure.remembered(List.of("assets", ""), lookup));
        assertEquals(List.of("do_1"), erasure.remembered(List.of("assets", ""), lookup));
        assertEquals(List.of("do_2"), erasure.remembered(List.of("assets", "Retired"), lookup));
        assertEquals(List.of("do_3"), REWRITES.erasure(deletion()).remembered(List.of("assets", ""), lookup),
                "a replay's rewrite asks afresh");
    }

    @Test
    void thePassesOfOneBatchInItsStoresAskTheGraphOnceForWhatTheyShare() {
        var shared = REWRITES.sharedLookups();
        List<ErasureRequest> requests = List.of(deletion(), deletionOf("r9", "u-pub", "Grace Hopper"));
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Supplier<List<String>> lookup = () -> List.of("do_" + asked.incrementAndGet());
        assertEquals(List.of("do_1"), REWRITES.batch(requests, shared).remembered(List.of("assets", "", ""), lookup));
        assertEquals(List.of("do_1"), REWRITES.batch(requests, shared).remembered(List.of("assets", "", ""), lookup),
                "another store's pass over the same requests");
        assertEquals(List.of("do_2"), REWRITES.batch(List.of(deletion()), shared).remembered(List.of("assets", "", ""), lookup),
                "a store still open for fewer of the requests asks for its own");
        assertEquals(List.of("do_3"), REWRITES.batch(requests, null).remembered(List.of("assets", "", ""), lookup),
                "a pass that shares nothing asks afresh");
    }

    @Test
    void asksAgainAfterAFailedLookupAndKeepsOnlyAFewAnswers() {
        AssetRewrite erasure = REWRITES.erasure(deletion());
        assertThrows(IllegalStateException.class, () -> erasure.remembered("assets", () -> {
            throw new IllegalStateException("graph down");
        }));
        assertEquals("found", erasure.remembered("assets", () -> "found"));
        for (int i = 0; i < 20; i++) {
            erasure.remembered("page " + i, () -> "answer");
        }
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        erasure.remembered("page 19", asked::incrementAndGet);
        erasure.remembered("page 19", asked::incrementAndGet);
        assertEquals(2, asked.get(), "past its bound a request's lookups are asked each time, not kept");
    }

    private static ErasureRequest deletionOf(String requestId, String userId, String name) {
        return new ErasureRequest(requestId, ErasureRequest.DELETE_USER, userId, "org", 0, name, null, null, List.of());
    }

    @Test
    void aBatchFindsTheAssetsOfEveryMemberAndAppliesEachMembersRewriteInTurn() {
        AssetRewrite batch = REWRITES.batch(List.of(deletion(), deletionOf("r9", "u-pub", "Grace Hopper")), null);
        assertEquals(List.of(FROM, "u-pub"), batch.owners());
        assertEquals(Set.of(), batch.identifiers(), "a deletion concerns every asset found");
        Map<String, Object> asset = asset("Live");
        asset.put("lastPublishedBy", "u-pub");
        asset.put("publisher", "Grace Hopper");
        assertEquals(Map.of("creator", "Deleted User", "originData", "{\"creator\":{\"name\":\"Deleted User\"}}",
                "publisher", "Deleted User"), batch.changes("do_1", asset, Set.of()));
        batch.changes("do_1", asset, Set.of());
        batch.changes("do_2", asset("Live"), Set.of());
        assertEquals(Map.of("r1", 2, "r9", 1), batch.touched(), "each record once per member that changed it");
        assertEquals("AssetRewrite[batch of 2 requests]", batch.toString());
    }

    @Test
    void aBatchCountsTheHierarchiesEachMemberRewrote() throws Exception {
        AssetRewrite batch = REWRITES.batch(List.of(deletion(), deletionOf("r9", "u-other", "Grace Hopper")), null);
        JsonNode tree = JSON.readTree("{\"identifier\":\"do_c\",\"children\":[{\"identifier\":\"do_1\","
                + "\"createdBy\":\"u-from\",\"creator\":\"Ada Lovelace\"}]}");
        assertEquals(1, batch.rewriteTree("do_c", tree, Set.of()));
        assertEquals(Map.of("r1", 1, "r9", 0), batch.touched());
        assertFalse(tree.toString().contains("Ada"));
    }

    @Test
    void aBatchAppliesATransferAndThenTheDeletionOfItsNewOwnerToTheSameAsset() throws Exception {
        AssetRewrite batch = REWRITES.batch(List.of(transfer("Grace Hopper"), deletionOf("r9", TO, "Grace Hopper")), null);
        assertEquals(Map.of("createdBy", TO, "creator", "Deleted User",
                "originData", "{\"creator\":{\"name\":\"Deleted User\"}}"), batch.changes("do_1", asset("Live"), Set.of()));
        JsonNode tree = JSON.readTree("{\"identifier\":\"do_c\",\"children\":[{\"identifier\":\"do_1\","
                + "\"createdBy\":\"u-from\",\"creator\":\"Ada Lovelace\"}]}");
        batch.rewriteTree("do_c", tree, Set.of());
        assertEquals("{\"identifier\":\"do_1\",\"createdBy\":\"u-to\",\"creator\":\"Deleted User\"}",
                tree.path("children").get(0).toString());
        assertEquals(Map.of("r2", 2, "r9", 2), batch.touched(), "the asset and the hierarchy, by each member");
    }

    @Test
    void aBatchDoesNotCountADocumentTheStoreLeftAsItWasUnlessAnEarlierAttemptChangedIt() {
        AssetRewrite batch = REWRITES.batch(List.of(deletion(), deletionOf("r9", "u-pub", "Grace Hopper")), null);
        batch.changes("do_1", asset("Live"), Set.of());
        batch.changes("do_2", asset("Live"), Set.of());
        batch.confirmedChanged("do_2");

        batch.leftAsItWas("do_1");
        batch.leftAsItWas("do_2");

        assertEquals(Map.of("r1", 1, "r9", 0), batch.touched(), "a stale search hit's noop is no change; do_2 was changed");
    }
}
