package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import co.elastic.clients.elasticsearch.core.bulk.UpdateOperation;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
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
        AssetRewrite rewrite = REWRITES.erasure(new ErasureRequest("r1", ErasureRequest.DELETE_USER, "u-1", "org", 0, "Ada Lovelace",
                null, null, List.of()));
        List<MultiGetResponseItem<ObjectNode>> docs = List.of(read("do_1", "u-1", "Ada Lovelace", 41),
                read("do_2", "u-1", "Deleted User", 42), read("do_3", "u-2", "Grace Hopper", 43));

        List<UpdateOperation<Object, Object>> updates = documents.updates(docs, rewrite, "").stream()
                .map(UpdateOperation.Builder::build).toList();

        assertEquals(1, updates.size(), "do_2 is already clean, do_3 is another user's");
        assertEquals("do_1", updates.get(0).id());
        assertEquals(41L, updates.get(0).ifSeqNo());
        assertEquals(3L, updates.get(0).ifPrimaryTerm());
    }

    @Test
    void failsThePassWhenADocumentTheSearchFoundCannotBeReadById() {
        AssetRewrite rewrite = REWRITES.erasure(new ErasureRequest("r1", ErasureRequest.DELETE_USER, "u-1", "org", 0, "Ada Lovelace",
                null, null, List.of()));
        MultiGetResponseItem<ObjectNode> gone = MultiGetResponseItem.of(item -> item.result(doc -> doc.index("compositesearch")
                .id("do_4").found(false)));

        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> documents.updates(List.of(read("do_1", "u-1", "Ada Lovelace", 41), gone), rewrite, ""));
        assertEquals("elasticsearch could not read the found document do_4: not found", failed.getMessage());
    }
}
