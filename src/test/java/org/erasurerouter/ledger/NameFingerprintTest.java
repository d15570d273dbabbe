package org.erasurerouter.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class NameFingerprintTest {

    private final NameFingerprint fingerprints = new NameFingerprint("key".getBytes(StandardCharsets.UTF_8));

    @Test
    void fingerprintsANameAsTheHmacSha256OfItsUtf8BytesInHex() {
        // RFC 4231-style check value, computed independently: HMAC-SHA-256(key "key", "The quick brown fox jumps over the lazy dog")
        assertEquals("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
                fingerprints.of("The quick brown fox jumps over the lazy dog"));
    }

    @Test
    void dependsOnTheKeySoTheLedgerAloneCannotConfirmAGuessedName() {
        assertNotEquals(fingerprints.of("Ada Lovelace"),
                new NameFingerprint("other".getBytes(StandardCharsets.UTF_8)).of("Ada Lovelace"));
    }

    @Test
    void recognisesExactlyTheFingerprintedName() {
        var isAda = fingerprints.matcher(fingerprints.of("Ada Lovelace"));
        assertTrue(isAda.test("Ada Lovelace"));
        assertFalse(isAda.test("ada lovelace"));
        assertFalse(isAda.test("Ada Lovelace "));
        assertFalse(fingerprints.matcher(null).test("Ada Lovelace"));
    }

    @Test
    void givesEachTextTheSameFingerprintWhateverWasFingerprintedBeforeAndOnWhicheverThread() throws Exception {
        String ada = fingerprints.of("Ada Lovelace");
        fingerprints.of("Grace Hopper");
        assertEquals(ada, fingerprints.of("Ada Lovelace"));
        assertEquals(ada, CompletableFuture.supplyAsync(() -> fingerprints.of("Ada Lovelace")).get());
        assertNotEquals(ada, fingerprints.of("Grace Hopper"));
    }

    @Test
    void hasNoFingerprintForNoName() {
        assertNull(fingerprints.of(null));
        assertNull(fingerprints.of(""));
    }

    @Test
    void refusesAnEmptyKeyAndNeverShowsTheKey() {
        assertThrows(IllegalArgumentException.class, () -> new NameFingerprint(new byte[0]));
        assertFalse(fingerprints.toString().contains("key"));
    }
}
