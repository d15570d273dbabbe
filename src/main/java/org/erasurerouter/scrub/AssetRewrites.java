package org.erasurerouter.scrub;

import org.erasurerouter.intake.ErasureRequest;

/** Turns a request into what it does to assets, with the configured field rules; the routes call it once per request. */
public class AssetRewrites {

    private final FieldRewriter rewriter;
    private final String ownerKey;
    private final String draftSuffix;

    /**
     * @param ownerKey    the search key that names an asset's owner, which a transfer changes (e.g. {@code createdBy})
     * @param draftSuffix what a draft copy's identifier adds to its asset's (e.g. {@code .img})
     */
    public AssetRewrites(FieldRewriter rewriter, String ownerKey, String draftSuffix) {
        this.rewriter = rewriter;
        this.ownerKey = ownerKey;
        this.draftSuffix = draftSuffix == null ? "" : draftSuffix;
    }

    public AssetRewrite erasure(ErasureRequest request) {
        return AssetRewrite.erasure(rewriter, request);
    }

    public AssetRewrite transfer(ErasureRequest request) {
        return AssetRewrite.transfer(rewriter, ownerKey, draftSuffix, request);
    }
}
