package org.erasurerouter.scrub;

import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Evicts the cache entries of assets: their metadata ({@code <identifier>}) and hierarchy ({@code
 * hierarchy_<identifier>}) by default. A bean on the shared template because camel-spring-redis's DEL answers
 * nothing and has no multi-key EXISTS, and the ledger records how many cached copies were removed and that none is
 * left.
 */
public class CacheEviction {

    private final StringRedisTemplate redis;
    private final String metadataPrefix;
    private final String hierarchyPrefix;

    public CacheEviction(StringRedisTemplate redis, String metadataPrefix, String hierarchyPrefix) {
        this.redis = redis;
        this.metadataPrefix = metadataPrefix == null ? "" : metadataPrefix;
        this.hierarchyPrefix = hierarchyPrefix == null ? "" : hierarchyPrefix;
    }

    /** The cache keys that may hold these assets. */
    public List<String> keys(List<String> identifiers) {
        List<String> keys = new ArrayList<>(identifiers.size() * 2);
        for (String id : identifiers) {
            keys.add(metadataPrefix + id);
            keys.add(hierarchyPrefix + id);
        }
        return keys;
    }

    /** Deletes the keys; answers how many existed. */
    public int evict(List<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        Long removed = redis.delete(keys);
        return removed == null ? 0 : removed.intValue();
    }

    /**
     * Answers {@code evicted} when none of the keys exists any more.
     *
     * @throws CopiesRemainException when some do (a reader cached an asset again before its stores were rewritten)
     */
    public int verify(List<String> keys, int evicted) {
        return CopiesRemainException.unlessAny("redis", present(keys), evicted);
    }

    /** How many of the keys exist. */
    public int present(List<String> keys) {
        Long present = keys.isEmpty() ? Long.valueOf(0) : redis.countExistingKeys(keys);
        return present == null ? 0 : present.intValue();
    }
}
