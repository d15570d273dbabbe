package org.erasurerouter.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErasureLedgerTest {

    @Test
    void keepsAssetIdsHoldingCommasQuotesAndSpacesAsTheyWere() {
        List<String> ids = List.of("do_1,2", "do_\"3\" ", "do_ä");
        assertEquals(ids, ErasureLedger.assetIds(ErasureLedger.assetIdsColumn(ids)));
        assertNull(ErasureLedger.assetIdsColumn(List.of()));
        assertEquals(List.of(), ErasureLedger.assetIds(null));
    }

    @Test
    void keepsPlainAssetIdsCommaSeparatedAsEarlierVersionsReadThem() {
        assertEquals("do_1,do_2", ErasureLedger.assetIdsColumn(List.of("do_1", "do_2")));
        assertEquals(List.of("do_1", "do_2"), ErasureLedger.assetIds("do_1, do_2"));
        assertEquals(List.of("[do_1", "do_2]"), ErasureLedger.assetIds("[do_1,do_2]"), "a row kept so before");
    }
}
