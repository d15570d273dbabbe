package org.erasurerouter.scrub;

import org.erasurerouter.ledger.NameFingerprint;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Rewrites a deleted user's personal data in content metadata, following Sunbird's design: an object belongs to the
 * user for a search key (e.g. {@code createdBy}) when the value there is the user's id, and then that key's target
 * fields (e.g. {@code creator}, {@code originData.creator.name}) are masked.
 *
 * <ul>
 *   <li>A dotted target reaches into nested maps/objects and into properties that hold a JSON object as a string;
 *       such a string is parsed, rewritten and written back compact. Invalid JSON or non-objects are left alone.</li>
 *   <li>A target holding a plain string is masked whatever its content; one holding an array (List or ArrayNode)
 *       has every element equal to the user's name masked (no name: arrays are left alone).</li>
 *   <li>Only strings are masked; numbers, booleans, objects and nulls stay, and missing fields are never created.</li>
 *   <li>When several matching search keys name the same target, it is masked once, by the first rule.</li>
 * </ul>
 *
 * Immutable and thread-safe. Neither exception messages nor {@link #toString()} ever contain a field value or the
 * secret.
 */
public final class FieldRewriter {

    /** The replacement used when none is configured. */
    public static final String DEFAULT_REPLACEMENT = "Deleted User";

    private static final String HMAC = "HmacSHA256";

    /** What {@link MaskingStrategy#HASH} writes; a value of this shape is taken as hashed already, so a rerun keeps it. */
    private static final java.util.regex.Pattern DIGEST = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /** Marks a value the {@link MaskingStrategy#NULL} strategy removed. */
    private static final Object REMOVED = new Object();

    /** Parses embedded JSON strings strictly and keeps their numbers as written (1.10 stays 1.10). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private final List<FieldRule> rules;
    private final Set<String> searchKeys;
    private final String replacement;
    private final NameFingerprint hmac;

    /**
     * A rewriter for these rules; {@code replacement} null means {@value #DEFAULT_REPLACEMENT}, and a blank or null
     * {@code hmacSecret} means none (then no rule may use {@link MaskingStrategy#HASH}).
     *
     * @throws IllegalArgumentException when there are no rules, a target is listed twice for one search key, or a
     *         hash rule has no secret
     */
    public FieldRewriter(List<FieldRule> rules, String replacement, String hmacSecret) {
        Objects.requireNonNull(rules, "rules");
        if (rules.isEmpty()) {
            throw new IllegalArgumentException(
                    "no PII field rules are configured: name at least one search key and its target fields");
        }
        boolean hasSecret = hmacSecret != null && !hmacSecret.isBlank();
        Set<String> seen = new HashSet<>();
        Set<String> keys = new LinkedHashSet<>();
        for (FieldRule rule : rules) {
            Objects.requireNonNull(rule, "rule");
            if (!seen.add(rule.searchKey() + '\u0000' + rule.target())) {
                throw new IllegalArgumentException("target field '" + rule.target() + "' is listed more than once for"
                        + " search key '" + rule.searchKey() + "'");
            }
            if (rule.strategy() == MaskingStrategy.HASH && !hasSecret) {
                throw new IllegalArgumentException("target field '" + rule.target() + "' of search key '"
                        + rule.searchKey() + "' uses the hash strategy, but no HMAC secret is configured");
            }
            keys.add(rule.searchKey());
        }
        this.rules = List.copyOf(rules);
        this.searchKeys = Collections.unmodifiableSet(keys);
        this.replacement = replacement == null ? DEFAULT_REPLACEMENT : replacement;
        this.hmac = hasSecret ? new NameFingerprint(hmacSecret.getBytes(StandardCharsets.UTF_8)) : null;
    }

    /**
     * Builds a rewriter from settings that map each search key to a comma-separated list of targets, each optionally
     * suffixed with {@code :replace}, {@code :null} or {@code :hash} (default replace), e.g. {@code createdBy} →
     * {@code creator, originData.creator.name:hash}. Blank keys with blank lists and blank list entries are ignored.
     *
     * @throws IllegalArgumentException on an unknown strategy, a malformed target, no rules at all, or a hash rule
     *         without a secret
     */
    public static FieldRewriter fromSettings(Map<String, String> settings, String replacement, String hmacSecret) {
        List<FieldRule> rules = new ArrayList<>();
        if (settings != null) {
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                String key = setting.getKey() == null ? "" : setting.getKey().trim();
                String targets = setting.getValue() == null ? "" : setting.getValue();
                if (targets.isBlank()) {
                    continue;
                }
                if (key.isEmpty()) {
                    throw new IllegalArgumentException("PII field rules name targets under a blank search key");
                }
                for (String entry : targets.split(",")) {
                    String spec = entry.trim();
                    if (!spec.isEmpty()) {
                        rules.add(parseRule(key, spec));
                    }
                }
            }
        }
        return new FieldRewriter(rules, replacement, hmacSecret);
    }

    private static FieldRule parseRule(String key, String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            return new FieldRule(key, spec, MaskingStrategy.REPLACE);
        }
        String target = spec.substring(0, colon).trim();
        String name = spec.substring(colon + 1).trim();
        MaskingStrategy strategy = MaskingStrategy.named(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown masking strategy '" + name + "' for target field '" + target + "' of search key '" + key
                        + "'; expected replace, null or hash"));
        return new FieldRule(key, target, strategy);
    }

    /** The search keys, in configuration order, whose value is compared with the user id. */
    public Set<String> searchKeys() {
        return searchKeys;
    }

    /** The rules, in configuration order. */
    public List<FieldRule> rules() {
        return rules;
    }

    /** The value written by {@link MaskingStrategy#REPLACE}. */
    public String replacement() {
        return replacement;
    }

    /**
     * The top-level properties of {@code metadata} (a Neo4j node's or Elasticsearch {@code _source}'s) whose value
     * changes, with their new values, a removed property mapping to {@code null}; empty when nothing belongs to the
     * user. Fit for a partial update ({@code SET n += $changes}, an Elasticsearch partial {@code doc}). Never mutates
     * its input.
     *
     * @throws IllegalArgumentException when {@code userId} is null or blank
     */
    public Map<String, Object> changes(Map<String, Object> metadata, String userId, String userName) {
        return changes(metadata, userId, isName(userName));
    }

    /**
     * As {@link #changes(Map, String, String)}, with array elements taken as the user's name when {@code isName}
     * accepts them: how a request read back from the ledger, which keeps only a keyed hash of the name, finds them.
     */
    public Map<String, Object> changes(Map<String, Object> metadata, String userId, Predicate<String> isName) {
        requireUserId(userId);
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> updated = new LinkedHashMap<>();
        for (FieldRule rule : applicable(key -> userId.equals(metadata.get(key)))) {
            List<String> path = rule.path();
            String top = path.get(0);
            Object current;
            if (updated.containsKey(top)) {
                current = updated.get(top);
            } else if (metadata.containsKey(top)) {
                current = metadata.get(top);
            } else {
                continue;
            }
            if (current == REMOVED) {
                continue;
            }
            Object next = rewriteValue(current, path, 1, rule, isName);
            if (next != current) {
                updated.put(top, next);
            }
        }
        Map<String, Object> changes = new LinkedHashMap<>();
        updated.forEach((key, value) -> {
            if (value == REMOVED) {
                changes.put(key, null);
            } else if (!Objects.equals(value, metadata.get(key))) {
                changes.put(key, value);
            }
        });
        return Collections.unmodifiableMap(changes);
    }

    /**
     * Rewrites in place this one object (not its nested objects) if it belongs to the user; answers whether it
     * changed.
     *
     * @throws IllegalArgumentException when {@code userId} is null or blank
     */
    public boolean rewrite(ObjectNode metadata, String userId, String userName) {
        requireUserId(userId);
        return metadata != null && rewriteObject(metadata, userId, isName(userName));
    }

    /**
     * Walks a hierarchy JSON ({@code children} arrays, and in fact any object nested at any depth) and rewrites in
     * place every object that belongs to the user; answers how many objects changed.
     *
     * @throws IllegalArgumentException when {@code userId} is null or blank
     */
    public int rewriteTree(JsonNode root, String userId, String userName) {
        return rewriteTree(root, userId, userName, object -> true);
    }

    /**
     * As {@link #rewriteTree(JsonNode, String, String)}, rewriting only the objects {@code include} accepts (their
     * nested objects are still visited): how a store leaves alone the entries whose status it skips, or a transfer
     * the assets it does not name.
     */
    public int rewriteTree(JsonNode root, String userId, String userName, Predicate<ObjectNode> include) {
        return rewriteTree(root, userId, isName(userName), include);
    }

    /** As {@link #rewriteTree(JsonNode, String, String, Predicate)}, with the name recognised by {@code isName}. */
    public int rewriteTree(JsonNode root, String userId, Predicate<String> isName, Predicate<ObjectNode> include) {
        requireUserId(userId);
        if (root == null) {
            return 0;
        }
        int rewritten = 0;
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node instanceof ObjectNode object && include.test(object) && rewriteObject(object, userId, isName)) {
                rewritten++;
            }
            for (JsonNode child : node) {
                if (child.isContainerNode()) {
                    pending.push(child);
                }
            }
        }
        return rewritten;
    }

    /** Recognises the user's name as an array element; with no name, nothing is recognised. */
    public static Predicate<String> isName(String userName) {
        return userName == null ? text -> false : userName::equals;
    }

    /** Describes the rules; never the secret. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("FieldRewriter[");
        for (int i = 0; i < rules.size(); i++) {
            FieldRule rule = rules.get(i);
            text.append(i == 0 ? "" : ", ").append(rule.searchKey()).append(" -> ").append(rule.target())
                    .append(':').append(rule.strategy().settingName());
        }
        return text.append(']').toString();
    }

    boolean rewriteObject(ObjectNode object, String userId, Predicate<String> isName) {
        boolean changed = false;
        for (FieldRule rule : applicable(key -> {
            JsonNode value = object.get(key);
            return value != null && value.isTextual() && userId.equals(value.textValue());
        })) {
            changed |= rewriteJson(object, rule.path(), 0, rule, isName);
        }
        return changed;
    }

    /** The rules whose search key matches, each target once (the first rule naming it wins). */
    private List<FieldRule> applicable(Predicate<String> keyMatches) {
        List<FieldRule> applicable = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        Map<String, Boolean> matches = new LinkedHashMap<>();
        for (FieldRule rule : rules) {
            if (matches.computeIfAbsent(rule.searchKey(), keyMatches::test) && targets.add(rule.target())) {
                applicable.add(rule);
            }
        }
        return applicable;
    }

    /** The value with {@code path[i..]} rewritten: the same instance when unchanged, {@link #REMOVED} if removed. */
    private Object rewriteValue(Object value, List<String> path, int i, FieldRule rule, Predicate<String> isName) {
        if (i == path.size()) {
            return maskLeaf(value, rule, isName);
        }
        String key = path.get(i);
        if (value instanceof Map<?, ?> map) {
            if (!map.containsKey(key)) {
                return value;
            }
            Object child = map.get(key);
            Object next = rewriteValue(child, path, i + 1, rule, isName);
            if (next == child) {
                return value;
            }
            Map<Object, Object> copy = new LinkedHashMap<>(map);
            if (next == REMOVED) {
                copy.remove(key);
            } else {
                copy.put(key, next);
            }
            return copy;
        }
        if (value instanceof String text) {
            ObjectNode embedded = parseObject(text);
            if (embedded != null && rewriteJson(embedded, path, i, rule, isName)) {
                return compact(embedded, rule);
            }
        }
        return value;
    }

    private Object maskLeaf(Object value, FieldRule rule, Predicate<String> isName) {
        if (value instanceof String text) {
            return mask(text, rule);
        }
        if (value instanceof List<?> list) {
            List<Object> masked = new ArrayList<>(list.size());
            boolean changed = false;
            for (Object element : list) {
                if (element instanceof String text && isName.test(text)) {
                    Object next = mask(text, rule);
                    changed |= next != element;
                    if (next != REMOVED) {
                        masked.add(next);
                    }
                } else {
                    masked.add(element);
                }
            }
            return changed ? masked : value;
        }
        return value;
    }

    /** Rewrites {@code path[i..]} inside {@code object} in place; answers whether anything changed. */
    private boolean rewriteJson(ObjectNode object, List<String> path, int i, FieldRule rule, Predicate<String> isName) {
        String key = path.get(i);
        JsonNode child = object.get(key);
        if (child == null) {
            return false;
        }
        if (i == path.size() - 1) {
            if (child.isTextual()) {
                String text = child.textValue();
                Object next = mask(text, rule);
                if (next == text) {
                    return false;
                }
                if (next == REMOVED) {
                    object.remove(key);
                } else {
                    object.put(key, (String) next);
                }
                return true;
            }
            return child instanceof ArrayNode array && maskArray(array, rule, isName);
        }
        if (child instanceof ObjectNode nested) {
            return rewriteJson(nested, path, i + 1, rule, isName);
        }
        if (child.isTextual()) {
            ObjectNode embedded = parseObject(child.textValue());
            if (embedded != null && rewriteJson(embedded, path, i + 1, rule, isName)) {
                object.put(key, compact(embedded, rule));
                return true;
            }
        }
        return false;
    }

    private boolean maskArray(ArrayNode array, FieldRule rule, Predicate<String> isName) {
        boolean changed = false;
        for (int i = array.size() - 1; i >= 0; i--) {
            JsonNode element = array.get(i);
            if (element.isTextual() && isName.test(element.textValue())) {
                String text = element.textValue();
                Object next = mask(text, rule);
                if (next == REMOVED) {
                    array.remove(i);
                    changed = true;
                } else if (next != text) {
                    array.set(i, array.textNode((String) next));
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** The masked value: the same instance when masking would not change it, {@link #REMOVED} to remove it. */
    private Object mask(String text, FieldRule rule) {
        return switch (rule.strategy()) {
            case REPLACE -> replacement.equals(text) ? text : replacement;
            case NULL -> REMOVED;
            case HASH -> DIGEST.matcher(text).matches() ? text : hmac(text, rule);
        };
    }

    private String hmac(String text, FieldRule rule) {
        try {
            return hash(text);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("could not hash target field '" + rule.target() + "' with " + HMAC, e);
        }
    }

    /**
     * The lower-case hex HMAC-SHA-256 of a value, keyed with the configured secret: what {@link MaskingStrategy#HASH}
     * writes (the SQL tables write it for the user id, a pseudonym that still counts distinct users).
     *
     * @throws IllegalStateException when no secret is configured
     */
    public String hash(String value) {
        if (hmac == null) {
            throw new IllegalStateException("the hash strategy needs erasure.pii.hash-secret");
        }
        return hmac.hex(value);
    }

    /** The object a string holds as JSON, or null when it is not valid JSON or not an object. */
    private static ObjectNode parseObject(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text) instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            return null; // not JSON: left alone (the parser's message may quote the content, so it is dropped)
        }
    }

    private static String compact(ObjectNode object, FieldRule rule) {
        try {
            return JSON.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            // no cause: its message could quote content
            throw new IllegalStateException("could not write back the rewritten JSON of target field '"
                    + rule.target() + "'");
        }
    }

    private static void requireUserId(String userId) {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("a user id is required to decide which content belongs to the user");
        }
    }
}
