package org.erasurerouter.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.erasurerouter.intake.ErasureRequest;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class BatchQueueTest {
    /** Port 1 on the loopback: nothing listens, as when the ledger database is restarting. */
    private static final ErasureLedger UNREACHABLE =
            new ErasureLedger(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/ledger"));

    @Test
    void claimsNoBatchInsteadOfFailingTheNextLookWhenTheLedgerDatabaseIsUnreachable() {
        BatchQueue queue = new BatchQueue(UNREACHABLE, "queue-table", "queue", 100, 1000, 30000);
        assertEquals(List.of(), queue.claim("b1"));
        assertEquals(List.of(), queue.claim("b2"));
    }

    @Test
    void aDeletionThatCannotBeQueuedFailsItsEventsRoute() {
        BatchQueue queue = new BatchQueue(UNREACHABLE, "queue-table", "queue", 100, 1000, 30000);
        assertThrows(ErasureLedger.LedgerException.class, () -> queue.open(new ErasureRequest("r1", ErasureRequest.DELETE_USER,
                "u1", "org-1", 0, null, null, null, List.of()), "neo4j", "neo4j"));
    }
}
