package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HierarchyScrubberTest {

    private final HierarchyScrubber scrubber = new HierarchyScrubber(2);

    @Test
    void reReadsOnlyTheHierarchiesItWrote() {
        List<List<Object>> updates = List.of(List.of("{\"creator\":\"Deleted User\"}", "do_1"), List.of("{}", "do_2.img"));
        assertEquals(List.of("do_1", "do_2.img"), scrubber.rewritten(updates));
    }

    @Test
    void writesTheHierarchiesReadAgainAsReadAgainAndDropsThoseNoLongerHoldingTheData() {
        List<List<Object>> earlier = List.of(List.of("{\"v\":1}", "do_1", 10L), List.of("{\"v\":1}", "do_2", 10L),
                List.of("{\"v\":1}", "do_3", 10L));
        List<List<Object>> reread = List.of(List.of("{\"v\":2}", "do_1", 20L));

        assertEquals(List.of(List.of("{\"v\":2}", "do_1", 20L), List.of("{\"v\":1}", "do_3", 10L)),
                scrubber.replacing(earlier, List.of("do_1", "do_2"), reread),
                "do_2, read again clean, is not written from its first read");
        assertEquals(earlier, scrubber.replacing(earlier, List.of(), List.of()));
    }

    @Test
    void looksUpIdentifiersInQueriesOfAtMostTheReadSize() {
        assertEquals(List.of(List.of(List.of("do_1", "do_1.img")), List.of(List.of("do_2"))),
                scrubber.lookups(List.of("do_1", "do_1.img", "do_2")));
        assertEquals(List.of(List.of(List.of("do_1", "do_1.img"))), scrubber.lookups(List.of("do_1", "do_1.img")));
        assertEquals(List.of(), scrubber.lookups(List.of()));
    }

    @Test
    void refusesAReadSizeBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new HierarchyScrubber(0));
    }
}
