package org.erasurerouter.scrub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.erasurerouter.intake.ErasureRequest;
import java.util.function.Predicate;
import org.erasurerouter.ledger.ErasureLedger;
import org.erasurerouter.ledger.NameFingerprint;

/**
 * What one request does to the assets it concerns, the same in every store: which assets (those whose search keys
 * name the user and, for a transfer of one asset, that asset and its draft) and how their metadata changes (masked
 * for a deletion; for a transfer, the owner key set to the new owner and the owner's name fields to the new owner's
 * name). Immutable but for the graph lookups it remembers (see {@link #remembered}); holds the names of the request,
 * so it is never logged.
 * <p>
 * A {@linkplain #batch batch} is the rewrite of several requests at once, as one store pass: it finds the assets of
 * all of them and applies each member's rewrite to a record in turn, and counts per request the records that member
 * changed.
 */
public final class AssetRewrite {

    /** The metadata field a status rule reads, in graph nodes, hierarchy entries and search documents alike. */
    public static final String STATUS = "status";
    /** The identifier of an entry in a hierarchy JSON. */
    public static final String IDENTIFIER = "identifier";
    /** How many graph lookups a request remembers at most. */
    private static final int REMEMBERED = 8;

    private final String userId;
    private final Predicate<String> isName;
    private final List<String> owners;
    private final List<String> searchKeys;
    private final Set<String> identifiers;
    private final FieldRewriter names;
    private final FieldRewriter owner;
    private final Map<Object, Object> lookups;
    /** A batch's members by request id, in order; empty for one request. */
    private final Map<String, AssetRewrite> members;
    /** A batch's members (request ids) by each user id they own assets under. */
    private final Map<String, List<String>> byOwner = new HashMap<>();
    /** A batch's members (request ids) in order, and each one's position in it. */
    private final List<String> order;
    private final Map<String, Integer> position = new HashMap<>();
    /** A batch's records each member changed (identifiers, so a retried pass counts a record once). */
    private final Map<String, Set<String>> changed = new ConcurrentHashMap<>();
    /** Records a store confirmed it changed in this pass (see {@link #leftAsItWas}). */
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    /** See {@link #fieldsRead()}. */
    private final Set<String> fieldsRead;
    /** For a transfer: what marks a hierarchy entry as a unit of its collection (see {@link #units}); else null. */
    private final Predicate<JsonNode> unit;

    private AssetRewrite(String userId, Predicate<String> isName, List<String> owners, List<String> searchKeys,
                         Set<String> identifiers, FieldRewriter names, FieldRewriter owner, Predicate<JsonNode> unit) {
        this(userId, isName, owners, searchKeys, identifiers, names, owner, unit, Map.of(), new ConcurrentHashMap<>());
    }

    private AssetRewrite(String userId, Predicate<String> isName, List<String> owners, List<String> searchKeys,
                         Set<String> identifiers, FieldRewriter names, FieldRewriter owner, Predicate<JsonNode> unit,
                         Map<String, AssetRewrite> members, Map<Object, Object> lookups) {
        this.unit = unit;
        this.members = members;
        this.lookups = lookups;
        this.order = List.copyOf(members.keySet());
        for (int i = 0; i < order.size(); i++) {
            position.put(order.get(i), i);
        }
        members.forEach((requestId, member) -> member.owners.forEach(
                ownerId -> byOwner.computeIfAbsent(ownerId, o -> new ArrayList<>()).add(requestId)));
        this.userId = userId;
        this.isName = isName;
        this.owners = owners;
        this.searchKeys = searchKeys;
        this.identifiers = identifiers;
        this.names = names;
        this.owner = owner;
        this.fieldsRead = fieldsRead(searchKeys, names, owner, members.values());
    }

    /**
     * A deletion: every asset whose search keys name the user has its target fields masked. Array elements are
     * matched with the event's name, or, for a request read back from the ledger, with the name's fingerprint.
     */
    public static AssetRewrite erasure(FieldRewriter rewriter, ErasureRequest request, NameFingerprint fingerprints) {
        return new AssetRewrite(request.userId(), isNameOf(request, fingerprints), List.of(request.userId()),
                List.copyOf(rewriter.searchKeys()), Set.of(), rewriter, null, null);
    }

    /** The request user's name as array elements are matched: the event's name, or the fingerprint the ledger kept. */
    private static Predicate<String> isNameOf(ErasureRequest request, NameFingerprint fingerprints) {
        return request.userName() != null || fingerprints == null
                ? FieldRewriter.isName(request.userName()) : fingerprints.matcher(request.nameFingerprint());
    }

    /**
     * An ownership transfer: the named asset and its draft ({@code draftSuffix}), or all of the previous owner's,
     * get {@code ownerKey} = the new owner's id and the owner key's target fields = the new owner's name (the
     * configured replacement when the event gave none, so the previous owner's name never survives). Assets are
     * found under both owners, so a store that runs after the graph changed hands still finds them. Array elements
     * holding the previous owner's name are matched as a deletion matches them. In a hierarchy, the units ({@code unit}
     * marks them; null: none) the previous owner created inside a named collection go with it: they live only in
     * their collection's hierarchy, so no later search for the previous owner's assets would find them again.
     */
    public static AssetRewrite transfer(FieldRewriter rewriter, String ownerKey, String draftSuffix, ErasureRequest request,
                                        NameFingerprint fingerprints, Predicate<JsonNode> unit) {
        List<FieldRule> ownerRules = rewriter.rules().stream().filter(rule -> rule.searchKey().equals(ownerKey))
                .map(rule -> new FieldRule(ownerKey, rule.target(), MaskingStrategy.REPLACE)).toList();
        String newName = request.toUserName() != null ? request.toUserName() : rewriter.replacement();
        Set<String> identifiers = new LinkedHashSet<>();
        for (String id : request.assetIds()) {
            identifiers.add(id);
            identifiers.add(id.endsWith(draftSuffix) ? id.substring(0, id.length() - draftSuffix.length()) : id + draftSuffix);
        }
        return new AssetRewrite(request.userId(), isNameOf(request, fingerprints), List.of(request.userId(), request.toUserId()),
                List.of(ownerKey), Set.copyOf(identifiers),
                ownerRules.isEmpty() ? null : new FieldRewriter(ownerRules, newName, null),
                new FieldRewriter(List.of(new FieldRule(ownerKey, ownerKey)), request.toUserId(), null), unit);
    }

    /**
     * The rewrites of several requests (by request id) as one: the assets of any of them, each changed by every member
     * in order (so two members' changes to one field compose). Its user is null. It remembers its graph lookups in
     * {@code lookups}: the passes of one batch in its several stores, built apart, share what they ask the graph
     * through it (see {@link #remembered}).
     */
    public static AssetRewrite batch(Map<String, AssetRewrite> members, Map<Object, Object> lookups) {
        Set<String> owners = new LinkedHashSet<>();
        Set<String> searchKeys = new LinkedHashSet<>();
        Set<String> identifiers = new LinkedHashSet<>();
        boolean everyAsset = false;
        for (AssetRewrite member : members.values()) {
            owners.addAll(member.owners);
            searchKeys.addAll(member.searchKeys);
            identifiers.addAll(member.identifiers);
            everyAsset |= member.identifiers.isEmpty();
        }
        return new AssetRewrite(null, null, List.copyOf(owners), List.copyOf(searchKeys),
                everyAsset ? Set.of() : Set.copyOf(identifiers), null, null, null,
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members)), lookups);
    }

    /**
     * Per request of a batch, how many records its rewrite changed in this pass (each record once, however often the
     * pass was retried); for a single request, empty.
     */
    public Map<String, Integer> touched() {
        Map<String, Integer> touched = new LinkedHashMap<>();
        members.keySet().forEach(requestId -> touched.put(requestId, changed.getOrDefault(requestId, Set.of()).size()));
        return touched;
    }

    /** The user whose data is rewritten (the previous owner of a transfer). */
    public String userId() {
        return userId;
    }

    /** The user ids an asset's search keys are compared with to find it. */
    public List<String> owners() {
        return owners;
    }

    /** The properties compared with {@link #owners()}. */
    public List<String> searchKeys() {
        return searchKeys;
    }

    /**
     * The top-level properties {@link #changes} reads: the search keys, each rule's search key and the first field of
     * its target, and the status; a batch's, those of all its members. Worked out once, when the rewrite is built: the
     * graph asks for them on every page.
     */
    public Set<String> fieldsRead() {
        return fieldsRead;
    }

    private static Set<String> fieldsRead(List<String> searchKeys, FieldRewriter names, FieldRewriter owner,
                                          java.util.Collection<AssetRewrite> members) {
        Set<String> fields = new LinkedHashSet<>(searchKeys);
        fields.add(STATUS);
        for (FieldRewriter rewriter : java.util.Arrays.asList(names, owner)) {
            if (rewriter != null) {
                rewriter.rules().forEach(rule -> {
                    fields.add(rule.searchKey());
                    fields.add(rule.path().get(0));
                });
            }
        }
        members.forEach(member -> fields.addAll(member.fieldsRead));
        return java.util.Collections.unmodifiableSet(fields);
    }

    /** The assets a transfer names, drafts included; empty means every asset found. */
    public Set<String> identifiers() {
        return identifiers;
    }

    /**
     * The changed top-level fields of one asset's metadata, fit for a partial update; empty when the asset is not
     * the user's, is not named by a transfer, or has a status in {@code skip}.
     */
    public Map<String, Object> changes(String identifier, Map<String, Object> metadata, Set<String> skip) {
        if (!members.isEmpty()) {
            Map<String, Object> current = new HashMap<>(metadata);
            Map<String, Object> changes = new HashMap<>();
            java.util.function.Function<String, String> field = key -> current.get(key) instanceof String value ? value : null;
            Set<String> named = named(field);
            for (int at = nextNamed(named, -1); at >= 0; at = nextNamed(named, at)) {
                Map<String, Object> own = members.get(order.get(at)).changes(identifier, current, skip);
                if (!own.isEmpty()) {
                    current.putAll(own);
                    changes.putAll(own);
                    touched(order.get(at), identifier);
                    // a transfer's new owner may be a later member
                    named = named(field);
                }
            }
            return changes;
        }
        if (!concerns(identifier, metadata.get(STATUS), skip)) {
            return Map.of();
        }
        Map<String, Object> changes = new HashMap<>();
        if (names != null) {
            changes.putAll(names.changes(metadata, userId, isName));
        }
        if (owner != null) {
            changes.putAll(owner.changes(metadata, userId, FieldRewriter.isName(null)));
        }
        return changes;
    }

    /**
     * Rewrites in place every entry of the hierarchy JSON of record {@code record} this request (or each member of a
     * batch in turn) concerns, at any depth; answers how many.
     */
    public int rewriteTree(String record, JsonNode tree, Set<String> skip) {
        if (members.isEmpty()) {
            return rewriteTree(tree, skip);
        }
        // one walk of the tree for the whole batch: each entry is rewritten by the members its search keys name
        int rewritten = 0;
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(tree);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node instanceof ObjectNode entry) {
                boolean entryChanged = false;
                java.util.function.Function<String, String> field = key -> entry.path(key).isTextual() ? entry.path(key).textValue() : null;
                Set<String> named = named(field);
                for (int at = nextNamed(named, -1); at >= 0; at = nextNamed(named, at)) {
                    if (members.get(order.get(at)).rewriteEntry(entry, skip)) {
                        entryChanged = true;
                        touched(order.get(at), record);
                        named = named(field);
                    }
                }
                rewritten += entryChanged ? 1 : 0;
            }
            for (JsonNode child : node) {
                if (child.isContainerNode()) {
                    pending.push(child);
                }
            }
        }
        return rewritten;
    }

    /** Whether this is the rewrite of a batch of requests. */
    public boolean isBatch() {
        return !members.isEmpty();
    }

    /** The members of a batch whose owners a search key of this metadata names (request ids). */
    public Set<String> membersNaming(Map<String, Object> metadata) {
        return named(key -> metadata.get(key) instanceof String value ? value : null);
    }

    /** A batch's member removed or rewrote {@code record} (e.g. a cache key), to count it in {@link #touched()}. */
    public void touched(String requestId, String record) {
        changed.computeIfAbsent(requestId, id -> ConcurrentHashMap.newKeySet()).add(String.valueOf(record));
    }

    /**
     * The store answered that an update of {@code record} left it as it was (Elasticsearch's {@code noop}, or a refused
     * update: a near-real-time search returned the document as it was before an earlier erasure, or it changed since),
     * so no member changed it, unless an earlier attempt of this pass did ({@link #confirmedChanged}).
     */
    public void leftAsItWas(String record) {
        if (!confirmed.contains(record)) {
            changed.values().forEach(records -> records.remove(record));
        }
    }

    /** The store answered that an update of {@code record} changed it. */
    public void confirmedChanged(String record) {
        confirmed.add(record);
    }

    /** The members of a batch whose owners a search key of a record names ({@code field} answers its value). */
    private Set<String> named(java.util.function.Function<String, String> field) {
        Set<String> named = new HashSet<>();
        for (String key : searchKeys) {
            String value = field.apply(key);
            if (value != null) {
                named.addAll(byOwner.getOrDefault(value, List.of()));
            }
        }
        return named;
    }

    /** Rewrites one entry of a hierarchy, not its children, if this request concerns it; answers whether it changed. */
    private boolean rewriteEntry(ObjectNode entry, Set<String> skip) {
        if (!concerns(entry.path(IDENTIFIER).asText(null), entry.path(STATUS).asText(null), skip)) {
            return false;
        }
        boolean changed = names != null && names.rewriteObject(entry, userId, isName);
        return owner != null && owner.rewriteObject(entry, userId, FieldRewriter.isName(null)) || changed;
    }

    /**
     * The position of the batch's first member after position {@code after} among {@code named}, or -1: members apply
     * in the batch's order, and a record is named by a few of them, so the batch is not walked for each record.
     */
    private int nextNamed(Set<String> named, int after) {
        int next = -1;
        for (String requestId : named) {
            int at = position.get(requestId);
            if (at > after && (next < 0 || at < next)) {
                next = at;
            }
        }
        return next;
    }


    /** Rewrites in place every entry of a hierarchy JSON this request concerns, at any depth; answers how many. */
    public int rewriteTree(JsonNode tree, Set<String> skip) {
        Set<JsonNode> units = units(tree);
        java.util.function.Predicate<ObjectNode> include = entry -> concerns(entry.path(IDENTIFIER).asText(null),
                entry.path(STATUS).asText(null), skip)
                || units.contains(entry) && !skip.contains(entry.path(STATUS).asText(""));
        int rewritten = names == null ? 0 : names.rewriteTree(tree, userId, isName, include);
        return owner == null ? rewritten : owner.rewriteTree(tree, userId, FieldRewriter.isName(null), include);
    }

    /**
     * The units of the named entries of a hierarchy, for a transfer that names its assets: the entries {@link #unit}
     * marks below a named entry, through units only (a child asset of its own, and what it holds, is not named). The
     * rules then rewrite those the previous owner created. Compared by identity.
     */
    private Set<JsonNode> units(JsonNode tree) {
        Set<JsonNode> units = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        if (unit == null || identifiers.isEmpty()) {
            return units;
        }
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(tree);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isObject() && identifiers.contains(node.path(IDENTIFIER).asText(null))) {
                addUnitsBelow(node, units);
            }
            for (JsonNode child : node) {
                if (child.isContainerNode()) {
                    pending.push(child);
                }
            }
        }
        return units;
    }

    /** Adds to {@code units} the units below {@code entry}, through units only. */
    private void addUnitsBelow(JsonNode entry, Set<JsonNode> units) {
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(entry);
        while (!pending.isEmpty()) {
            for (JsonNode child : pending.pop()) {
                boolean isEntry = child.isObject() && child.has(IDENTIFIER);
                if (isEntry ? unit.test(child) && units.add(child) : child.isContainerNode()) {
                    pending.push(child);
                }
            }
        }
    }

    /**
     * The answer to a graph lookup this request made before, else {@code lookup}'s, remembered: the stores of a request
     * run side by side and ask the graph the same questions (the request's pages of assets, the collections
     * containing them), so each is asked once; a caller asking while another's lookup runs waits for its answer. A
     * failed lookup is not remembered, so a retry asks again; a replay builds a new rewrite and asks afresh. At most
     * {@value #REMEMBERED} answers are kept, so a request with many pages stays in bounded memory.
     */
    @SuppressWarnings("unchecked")
    <T> T remembered(Object question, Supplier<T> lookup) {
        Object known = lookups.get(question);
        if (known != null) {
            return (T) known;
        }
        if (lookups.size() >= REMEMBERED) {
            return lookup.get();
        }
        return (T) lookups.computeIfAbsent(question, q -> lookup.get());
    }

    /** Whether the request concerns an asset with this identifier and status (the owner is checked by the rules). */
    public boolean concerns(String identifier, Object status, Set<String> skip) {
        if (!members.isEmpty()) {
            return members.values().stream().anyMatch(member -> member.concerns(identifier, status, skip));
        }
        return (identifiers.isEmpty() || identifiers.contains(identifier)) && !(status != null && skip.contains(status.toString()));
    }

    /** The statuses of a comma-separated setting, e.g. {@code Retired, Unlisted}; blank means none. */
    public static Set<String> statuses(String csv) {
        return ErasureLedger.names(csv);
    }

    /** Keeps the names of the request out of every string form. */
    @Override
    public String toString() {
        if (!members.isEmpty()) {
            return "AssetRewrite[batch of " + members.size() + " requests]";
        }
        return "AssetRewrite[user " + userId + (owner == null ? ", erasure" : ", transfer") + "]";
    }
}
