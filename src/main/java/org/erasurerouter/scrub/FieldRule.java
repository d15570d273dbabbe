package org.erasurerouter.scrub;

import java.util.List;
import java.util.Objects;

/**
 * One rule: when the value at {@code searchKey} is the deleted user's id, mask {@code target} with {@code strategy}.
 * The target is a dotted path ({@code originData.creator.name}) whose first segment is a top-level property.
 */
public record FieldRule(String searchKey, String target, MaskingStrategy strategy) {

    /** Validates the rule; messages name the search key and target, never a field value. */
    public FieldRule {
        Objects.requireNonNull(searchKey, "searchKey");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(strategy, "strategy");
        if (searchKey.isBlank()) {
            throw new IllegalArgumentException("a PII field rule has a blank search key");
        }
        if (target.isBlank()) {
            throw new IllegalArgumentException("search key '" + searchKey + "' has a blank target field");
        }
        for (String segment : target.split("\\.", -1)) {
            if (segment.isBlank() || !segment.equals(segment.trim())) {
                throw new IllegalArgumentException("target field '" + target + "' of search key '" + searchKey
                        + "' is not a dotted path of non-blank names");
            }
        }
    }

    /** A rule that masks with {@link MaskingStrategy#REPLACE}. */
    public FieldRule(String searchKey, String target) {
        this(searchKey, target, MaskingStrategy.REPLACE);
    }

    /** The target's segments: the top-level property first, then the nested keys. */
    public List<String> path() {
        return List.of(target.split("\\.", -1));
    }
}
