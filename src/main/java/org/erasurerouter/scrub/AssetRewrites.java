package org.erasurerouter.scrub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.erasurerouter.InvalidSettingException;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.ledger.NameFingerprint;

/** Turns a request into what it does to assets, with the configured field rules; the routes call it once per request. */
public class AssetRewrites {

    private final FieldRewriter rewriter;
    private final String ownerKey;
    private final String draftSuffix;
    private final NameFingerprint fingerprints;
    private final Predicate<JsonNode> unit;

    /**
     * @param ownerKey    the search key that names an asset's owner, which a transfer changes (e.g. {@code createdBy})
     * @param draftSuffix what a draft copy's identifier adds to its asset's (e.g. {@code .img})
     */
    public AssetRewrites(FieldRewriter rewriter, String ownerKey, String draftSuffix) {
        this(rewriter, ownerKey, draftSuffix, null);
    }

    /** @param fingerprints how the ledger fingerprints names, to match array copies for a request without its name */
    public AssetRewrites(FieldRewriter rewriter, String ownerKey, String draftSuffix, NameFingerprint fingerprints) {
        this(rewriter, ownerKey, draftSuffix, fingerprints, "");
    }

    /**
     * @param unitMarker what marks a hierarchy entry as a unit of its collection, as {@code field:value} (Sunbird:
     *                   {@code visibility:Parent}), whose units a transfer of the collection hands over; blank: none
     * @throws InvalidSettingException when {@code unitMarker} is neither blank nor {@code field:value}
     */
    public AssetRewrites(FieldRewriter rewriter, String ownerKey, String draftSuffix, NameFingerprint fingerprints,
                         String unitMarker) {
        this.fingerprints = fingerprints;
        this.rewriter = rewriter;
        this.ownerKey = ownerKey;
        this.draftSuffix = draftSuffix == null ? "" : draftSuffix;
        this.unit = unit(unitMarker);
    }

    private static Predicate<JsonNode> unit(String marker) {
        if (marker == null || marker.isBlank()) {
            return null;
        }
        int colon = marker.indexOf(':');
        String field = colon < 0 ? "" : marker.substring(0, colon).trim();
        String value = colon < 0 ? "" : marker.substring(colon + 1).trim();
        if (field.isEmpty() || value.isEmpty()) {
            throw new InvalidSettingException("erasure.transfer.unit-marker is not field:value (e.g. visibility:Parent), or empty");
        }
        return entry -> value.equals(entry.path(field).asText(null));
    }

    public AssetRewrite erasure(ErasureRequest request) {
        return AssetRewrite.erasure(rewriter, request, fingerprints);
    }

    public AssetRewrite transfer(ErasureRequest request) {
        return AssetRewrite.transfer(rewriter, ownerKey, draftSuffix, request, fingerprints, unit);
    }

    /**
     * A transfer whose new owner's deletion is recorded ({@code newOwnerDeleted}) writes the configured replacement,
     * not the new owner's name: that deletion may have run before the transfer, and would not run again.
     */
    public AssetRewrite transfer(ErasureRequest request, boolean newOwnerDeleted) {
        return transfer(newOwnerDeleted ? new ErasureRequest(request.requestId(), request.action(), request.userId(),
                request.organisationId(), request.eventTime(), request.userName(), request.toUserId(), null,
                request.assetIds(), request.roles(), request.nameFingerprint()) : request);
    }

    /**
     * The rewrite of a batch of requests as one store pass (see {@link AssetRewrite#batch}), sharing its graph lookups
     * with the other passes of the same batch built with the same
     * {@code lookupsByMembers} ({@link #sharedLookups}; none: nothing shared) whose requests are the same: each store
     * of a batch builds its own pass, and they ask the graph the same questions (the assets' pages, the collections
     * containing them).
     */
    public AssetRewrite batch(List<ErasureRequest> requests, Map<List<String>, Map<Object, Object>> lookupsByMembers) {
        Map<String, AssetRewrite> members = new LinkedHashMap<>();
        for (ErasureRequest request : requests) {
            members.put(request.requestId(), ErasureRequest.OWNERSHIP_TRANSFER.equals(request.action())
                    ? transfer(request) : erasure(request));
        }
        return AssetRewrite.batch(members, lookupsByMembers == null ? new ConcurrentHashMap<>()
                : lookupsByMembers.computeIfAbsent(List.copyOf(members.keySet()), ids -> new ConcurrentHashMap<>()));
    }

    /** Where the passes of one batch in its stores remember their graph lookups, by their requests. */
    public Map<List<String>, Map<Object, Object>> sharedLookups() {
        return new ConcurrentHashMap<>();
    }
}
