package org.erasurerouter.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HierarchyScrubberTest {

    private final HierarchyScrubber scrubber = new HierarchyScrubber();

    @Test
    void reReadsOnlyTheHierarchiesItWrote() {
        List<List<Object>> updates = List.of(List.of("{\"creator\":\"Deleted User\"}", "do_1"), List.of("{}", "do_2.img"));
        assertEquals(List.of(List.of("do_1", "do_2.img")), scrubber.rewritten(updates));
    }

    @Test
    void looksUpAllIdentifiersAsOneList() {
        assertEquals(List.of(List.of("do_1", "do_1.img")), scrubber.lookup(List.of("do_1", "do_1.img")));
    }
}
