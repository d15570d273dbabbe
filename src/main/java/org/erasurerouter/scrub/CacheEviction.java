package org.erasurerouter.scrub;

import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Evicts cache keys and answers how many existed. A bean on the shared template because camel-spring-redis's DEL
 * answers nothing, and the ledger records how many cached copies were removed.
 */
public class CacheEviction {

    private final StringRedisTemplate redis;

    public CacheEviction(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public int evict(List<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        Long removed = redis.delete(keys);
        return removed == null ? 0 : removed.intValue();
    }
}
