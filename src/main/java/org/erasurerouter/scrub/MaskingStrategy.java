package org.erasurerouter.scrub;

import java.util.Locale;
import java.util.Optional;

/** How a target field that holds the deleted user's personal data is masked. */
public enum MaskingStrategy {

    /** Writes the configured replacement value (default {@value FieldRewriter#DEFAULT_REPLACEMENT}). */
    REPLACE("replace"),
    /** Removes the value: the key from its map or object, the element from its array. */
    NULL("null"),
    /**
     * Writes the lower-case hex HMAC-SHA-256 of the original value, keyed with the configured secret. A value that is
     * already 64 lower-case hex digits is taken as hashed and kept, so running an erasure again changes nothing.
     */
    HASH("hash");

    private final String settingName;

    MaskingStrategy(String settingName) {
        this.settingName = settingName;
    }

    /** The name used in settings, e.g. {@code hash} in {@code originData.creator.name:hash}. */
    public String settingName() {
        return settingName;
    }

    /** The strategy with this settings name (case-insensitive, surrounding blanks ignored), if any. */
    public static Optional<MaskingStrategy> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (MaskingStrategy strategy : values()) {
            if (strategy.settingName.equals(wanted)) {
                return Optional.of(strategy);
            }
        }
        return Optional.empty();
    }
}
