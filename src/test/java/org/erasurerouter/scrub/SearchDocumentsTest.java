package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchDocumentsTest {
    private final SearchDocuments documents = new SearchDocuments();

    @Test
    void theSearchByIdentifierLooksOnlyForDocumentsTheSearchByKeyDidNotRewriteAndReRead() {
        Set<String> verified = documents.noneVerified();
        documents.verified(verified, List.of("do_1", "do_2"));
        documents.verified(verified, List.of("do_3"));
        assertEquals(List.of("do_4", "do_0"), documents.notVerified(List.of("do_1", "do_4", "do_3", "do_0", "do_2"), verified));
        assertEquals(List.of(), documents.notVerified(List.of("do_2", "do_1"), verified));
    }
}
