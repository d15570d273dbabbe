package org.erasurerouter.scrub;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

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

    /** The cache keys that may hold the assets of each member of a batch ({@link GraphAssets#cachedUnder}). */
    public Map<String, List<String>> keysByRequest(Map<String, Set<String>> cachedUnder) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        cachedUnder.forEach((member, identifiers) -> keys.put(member, keys(List.copyOf(identifiers))));
        return keys;
    }

    /** Every key of a batch's members once. */
    public List<String> allKeys(Map<String, List<String>> keysByMember) {
        Set<String> all = new LinkedHashSet<>();
        keysByMember.values().forEach(all::addAll);
        return List.copyOf(all);
    }

    /**
     * Deletes the keys of a batch's members, one DEL per key in one pipeline of the driver's, and counts each key that
     * existed for every member whose assets it may hold ({@code batch}'s touched counts); answers how many existed.
     */
    public int evict(Map<String, List<String>> keysByMember, AssetRewrite batch) {
        List<String> keys = allKeys(keysByMember);
        if (keys.isEmpty()) {
            return 0;
        }
        List<Long> deleted = redis.execute((RedisCallback<List<Long>>) connection -> {
            // the driver's own pipeline: Spring Data Redis pipelining over Jedis builds a proxy for every command,
            // which was 6 % of the runtime's CPU in a profile of the benchmark
            try (Pipeline pipeline = ((Jedis) connection.getNativeConnection()).pipelined()) {
                List<Response<Long>> answers = keys.stream().map(pipeline::del).toList();
                pipeline.sync();
                return answers.stream().map(Response::get).toList();
            }
        });
        Set<String> existed = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            if (deleted.get(i) > 0) {
                existed.add(keys.get(i));
            }
        }
        keysByMember.forEach((member, own) -> own.stream().filter(existed::contains).forEach(key -> batch.touched(member, key)));
        return existed.size();
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
