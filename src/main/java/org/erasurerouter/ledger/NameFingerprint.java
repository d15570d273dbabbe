package org.erasurerouter.ledger;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A keyed hash (HMAC-SHA-256) of a user's name, which the ledger keeps instead of the name: reconciliation and
 * re-erasure recognise an array element holding the name by its fingerprint, without the name ever being stored.
 */
public final class NameFingerprint {

    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;
    /**
     * One keyed MAC per thread: looking the algorithm up and keying it for every text was most of the work, and
     * masking fingerprints every array element it meets.
     */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::keyedMac);

    /** @throws IllegalArgumentException when the key is empty */
    public NameFingerprint(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("the name fingerprint needs a non-empty key");
        }
        this.key = new SecretKeySpec(key.clone(), HMAC);
    }

    /** The fingerprint of a name as 64 lower-case hex digits; null for no name. */
    public String of(String name) {
        return name == null || name.isEmpty() ? null : hex(name);
    }

    /** The HMAC-SHA-256 of any text's UTF-8 bytes, as 64 lower-case hex digits (also what the hash strategy writes). */
    public String hex(String text) {
        // doFinal leaves the MAC keyed and reset for the next text
        return HexFormat.of().formatHex(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac keyedMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not compute " + HMAC, e);
        }
    }

    /** Recognises the name whose fingerprint is {@code fingerprint}; with none, recognises nothing. */
    public Predicate<String> matcher(String fingerprint) {
        return fingerprint == null ? text -> false : text -> fingerprint.equals(of(text));
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "NameFingerprint[" + HMAC + "]";
    }
}
