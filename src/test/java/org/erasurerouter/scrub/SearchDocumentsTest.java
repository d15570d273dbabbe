package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.core.MgetRequest;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import co.elastic.clients.elasticsearch.core.bulk.UpdateOperation;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.erasurerouter.intake.ErasureRequest;
import org.junit.jupiter.api.Test;

class SearchDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AssetRewrites REWRITES = new AssetRewrites(
            FieldRewriter.fromSettings(new TreeMap<>(Map.of("createdBy", "creator")), "Deleted User", null), "createdBy", ".img");
    private final SearchDocuments documents = new SearchDocuments();

    @Test
    void theSearchByIdentifierLooksOnlyForDocumentsTheSearchByKeyDidNotRewriteAndReRead() {
        Set<String> verified = documents.noneVerified();
        documents.verified(verified, List.of("do_1", "do_2"));
        documents.verified(verified, List.of("do_3"));
        assertEquals(List.of("do_4", "do_0"), documents.notVerified(List.of("do_1", "do_4", "do_3", "do_0", "do_2"), verified));
        assertEquals(List.of(), documents.notVerified(List.of("do_2", "do_1"), verified));
    }

    private static MultiGetResponseItem<ObjectNode> read(String id, String createdBy, String creator, long seqNo) {
        ObjectNode source = JSON.createObjectNode().put("createdBy", createdBy).put("creator", creator);
        return MultiGetResponseItem.of(item -> item.result(doc -> doc.index("compositesearch").id(id).found(true)
                .seqNo(seqNo).primaryTerm(3L).source(source)));
    }

    @Test
    void updatesOnlyTheDocumentsThatHoldTheUserAndOnlyIfTheyAreUnchangedSinceTheyWereRead() {
        List<MultiGetResponseItem<ObjectNode>> docs = List.of(read("do_1", "u-1", "Ada Lovelace", 41),
                read("do_2", "u-1", "Deleted User", 42), read("do_3", "u-2", "Grace Hopper", 43));

        assertOnlyAConditionalUpdateOfDo1At41(documents.updates(docs, erasureOfAda(), ""), "do_2 is already clean, do_3 is another user's");
    }

    /** The updates are one partial update of do_1, applying only at sequence number 41 and primary term 3. */
    private static void assertOnlyAConditionalUpdateOfDo1At41(List<UpdateOperation.Builder<Object, Object>> builders, String why) {
        List<UpdateOperation<Object, Object>> updates = builders.stream().map(UpdateOperation.Builder::build).toList();
        assertEquals(1, updates.size(), why);
        assertEquals("do_1", updates.get(0).id());
        assertEquals(41L, updates.get(0).ifSeqNo());
        assertEquals(3L, updates.get(0).ifPrimaryTerm());
    }

    @Test
    void failsThePassWhenADocumentTheSearchFoundCannotBeReadById() {
        AssetRewrite rewrite = erasureOfAda();
        MultiGetResponseItem<ObjectNode> gone = MultiGetResponseItem.of(item -> item.result(doc -> doc.index("compositesearch")
                .id("do_4").found(false)));

        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> documents.updates(List.of(read("do_1", "u-1", "Ada Lovelace", 41), gone), rewrite, ""));
        assertEquals("elasticsearch could not read the found document do_4: not found", failed.getMessage());
    }

    private static AssetRewrite erasureOfAda() {
        return REWRITES.erasure(new ErasureRequest("r1", ErasureRequest.DELETE_USER, "u-1", "org", 0, "Ada Lovelace",
                null, null, List.of()));
    }

    /** Ada's erasure as a content batch of one, which counts the records each request changed. */
    private static AssetRewrite batchOfAda() {
        return REWRITES.batch(List.of(new ErasureRequest("r1", ErasureRequest.DELETE_USER, "u-1", "org", 0, "Ada Lovelace",
                null, null, List.of())), null);
    }

    private static Hit<ObjectNode> found(String id, String createdBy, String creator, Long seqNo) {
        ObjectNode source = JSON.createObjectNode().put("createdBy", createdBy).put("creator", creator);
        return Hit.of(hit -> hit.index("compositesearch").id(id).seqNo(seqNo).primaryTerm(seqNo == null ? null : 3L).source(source));
    }

    private static BulkResponseItem answer(String id, int status, String errorType) {
        return BulkResponseItem.of(item -> {
            item.operationType(OperationType.Update).index("compositesearch").id(id).status(status);
            return errorType == null ? item.result("updated") : item.error(e -> e.type(errorType).reason("refused"));
        });
    }

    @Test
    void asksTheSearchForTheVersionOfEachDocumentItFindsAndOnlyTheFieldsTheRulesRead() throws Exception {
        AssetRewrite rewrite = erasureOfAda();
        SearchRequest search = documents.search(documents.byIdentifiers(List.of("do_1")), rewrite, "compositesearch", 250).build();

        assertEquals(List.of("compositesearch"), search.index());
        assertEquals(250, search.size());
        assertTrue(search.seqNoPrimaryTerm());
        assertEquals(List.of("do_1"), search.query().ids().values());
        assertEquals(List.copyOf(rewrite.fieldsRead()), search.source().filter().includes());
        assertEquals(Boolean.FALSE, search.allowPartialSearchResults(), "a shard that fails fails the search");
    }

    @Test
    void asksEachUpdateToAnswerTheDocumentAsStoredWithTheFieldsTheRulesRead() {
        AssetRewrite rewrite = erasureOfAda();
        UpdateOperation<Object, Object> update = documents.updatesAsFound(List.of(found("do_1", "u-1", "Ada Lovelace", 41L)),
                rewrite, "").get(0).build();

        assertEquals(List.copyOf(rewrite.fieldsRead()), update.action().source().filter().includes());
        assertTrue(rewrite.fieldsRead().containsAll(List.of("createdBy", "creator", "status")),
                "the search key, the rule's field and the status: " + rewrite.fieldsRead());
    }

    @Test
    void readsTheDocumentsAgainByIdWithTheFieldsTheRulesReadLikeTheSearch() {
        AssetRewrite rewrite = erasureOfAda();
        MgetRequest read = documents.readAgain(List.of("do_2", "do_7"), rewrite, "compositesearch").build();

        assertEquals("compositesearch", read.index());
        assertEquals(List.of("do_2", "do_7"), read.ids());
        assertEquals(List.copyOf(rewrite.fieldsRead()), read.sourceIncludes());
    }

    @Test
    void updatesTheDocumentsFoundHoldingTheUserOnlyAtTheVersionTheSearchFound() {
        List<Hit<ObjectNode>> hits = List.of(found("do_1", "u-1", "Ada Lovelace", 41L),
                found("do_2", "u-1", "Deleted User", 42L), found("do_5", "u-1", "Ada Lovelace", null));

        assertOnlyAConditionalUpdateOfDo1At41(documents.updatesAsFound(hits, erasureOfAda(), ""),
                "do_2 is clean as found; do_5 was found without its version, so it is read again");
    }

    @Test
    void readsAgainByIdTheDocumentsFoundCleanAndThoseChangedSinceTheSearch() {
        List<BulkResponseItem> items = List.of(answer("do_1", 200, null), answer("do_3", 409, "version_conflict_engine_exception"));

        assertEquals(List.of("do_2", "do_3"), documents.toReadAgain(List.of("do_1", "do_2", "do_3"), items));
        assertEquals(List.of("do_1", "do_2"), documents.toReadAgain(List.of("do_1", "do_2"), List.of()), "no update was sent");
    }

    @Test
    void anUpdateAsFoundOfADocumentChangedSinceIsNeitherCountedNorAFailureButAnyOtherRefusalFails() {
        AssetRewrite erasure = batchOfAda();
        List<Hit<ObjectNode>> hits = List.of(found("do_1", "u-1", "Ada Lovelace", 41L), found("do_3", "u-1", "Ada Lovelace", 43L));
        documents.updatesAsFound(hits, erasure, "");
        BulkResponseItem conflict = answer("do_3", 409, "version_conflict_engine_exception");

        assertEquals(1, documents.appliedAsFound(List.of(answer("do_1", 200, null), conflict), erasure));
        assertEquals(Map.of("r1", 1), erasure.touched(), "do_3 is counted only if its read again changes it");
        assertEquals(0, documents.verify(List.of(conflict), erasure, "", 0), "do_3 is proven by its read again, not here");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> documents.appliedAsFound(List.of(answer("do_1", 404, "document_missing_exception")), erasure));
        assertEquals("elasticsearch refused the update of compositesearch/do_1: document_missing_exception", refused.getMessage());
        assertThrows(IllegalStateException.class, () -> documents.applied(List.of(conflict), erasure),
                "an update as read that meets a change fails the pass");
    }

    @Test
    void anUpdateThatAppliedStaysCountedWhenAnotherOfTheBulkFailsThePassAndItsRunAgainFindsItAsItWas() {
        AssetRewrite erasure = batchOfAda();
        List<Hit<ObjectNode>> hits = List.of(found("do_4", "u-1", "Ada Lovelace", 44L), found("do_1", "u-1", "Ada Lovelace", 41L));
        documents.updatesAsFound(hits, erasure, "");

        assertThrows(IllegalStateException.class, () -> documents.appliedAsFound(
                List.of(answer("do_4", 404, "document_missing_exception"), answer("do_1", 200, null)), erasure));
        // the pass runs again: a search a moment behind still answers do_1 as it was, so its update is refused
        documents.updatesAsFound(List.of(found("do_1", "u-1", "Ada Lovelace", 41L)), erasure, "");
        documents.appliedAsFound(List.of(answer("do_1", 409, "version_conflict_engine_exception")), erasure);

        assertEquals(Map.of("r1", 1), erasure.touched(), "do_1 was changed by this pass; do_4 by none");
    }
}
