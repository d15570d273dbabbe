package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.erasurerouter.bench.LocalJmx;
import org.erasurerouter.intake.ErasureRequest;
import org.erasurerouter.ledger.HierarchyLocks;
import org.erasurerouter.ledger.HierarchyLocksIT;
import org.erasurerouter.scrub.AssetRewrite;
import org.erasurerouter.scrub.AssetRewrites;
import org.erasurerouter.scrub.FieldRewriter;
import org.erasurerouter.scrub.GraphAssets;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The four content stores scrubbed on Sunbird-shaped data: every object type and status, drafts, nested hierarchies,
 * arrays, JSON strings, other users' collections, hostile ids and names, reruns, masking strategies and transfers.
 * The runtime pages by 100 assets, so a user with 1,000 assets is handled in many pages in every store.
 */
@ExtendWith(RealServers.class)
class ContentStoresIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String TOPIC = "delete.user.content." + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Long> NO_COPIES = Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L);

    private static RunningRouter router;
    private static SunbirdContent content;
    private static DeletionEvents events;

    @BeforeAll
    static void startRuntime() throws Exception {
        try (var db = java.sql.DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres")) {
            db.createStatement().execute("CREATE TABLE IF NOT EXISTS content_profile (user_id text)");
        }
        content = new SunbirdContent(RealServers.get());
        router = RunningRouter.start(settings(TOPIC, Map.of()));
        events = DeletionEvents.producer();
    }

    @AfterAll
    static void stopRuntime() throws Exception {
        RunningRouter.closeAll(events, content, router);
    }

    @Test
    void erasesAUserWithNoAssetsAndTouchesNothing() throws Exception {
        String userId = "u-none-" + UUID.randomUUID();
        List<String> others = content.seedAssets(prefix(), "u-other-" + UUID.randomUUID(), "Grace Hopper " + tag(), 10);
        Map<String, String> before = content.snapshot(others);

        JsonNode request = erase(userId, "Nobody " + tag());

        assertEquals(Map.of("neo4j", 0, "cassandra", 0, "elasticsearch", 0, "redis", 0), touched(request));
        assertEquals(before, content.snapshot(others));
    }

    @Test
    void erasesTheOnlyAssetOfAUserFromEveryStore() throws Exception {
        String userId = "u-one-" + UUID.randomUUID();
        String name = "Ada Lovelace " + tag();
        String asset = content.seedAssets(prefix(), userId, name, 1).get(0);

        JsonNode request = erase(userId, name);

        assertEquals(Map.of("neo4j", 1, "cassandra", 0, "elasticsearch", 1, "redis", 0), touched(request),
                "a Draft content: a node and a document, neither a hierarchy nor a cache entry");
        assertEquals(NO_COPIES, content.copiesOfName(name));
        assertEquals("Deleted User", content.nodeOf(asset).get("creator"));
    }

    @Test
    void readsAndWritesHierarchiesAtQuorumSoAPassReadingAfterAnotherReadsItsWrite() throws Exception {
        String userId = "u-quorum-" + UUID.randomUUID();
        String name = "Sophie Germain " + tag();
        content.seedAssets(prefix(), userId, name, 10);
        Map<String, Long> before = cassandraRequestsByConsistency();

        JsonNode request = erase(userId, name);

        Map<String, Long> after = cassandraRequestsByConsistency();
        assertTrue(touched(request).get("cassandra") > 0, "the user's collections have hierarchies: " + touched(request));
        assertTrue(after.get("Read-QUORUM") > before.get("Read-QUORUM"), "reads at QUORUM: " + before + " -> " + after);
        assertTrue(after.get("Write-QUORUM") > before.get("Write-QUORUM"), "writes at QUORUM: " + before + " -> " + after);
        assertEquals(before.get("Read-LOCAL_ONE"), after.get("Read-LOCAL_ONE"), "no read at the driver's default level");
        assertEquals(before.get("Write-LOCAL_ONE"), after.get("Write-LOCAL_ONE"), "no write at the driver's default level");
        assertEquals(NO_COPIES, content.copiesOfName(name));
    }

    /** The requests Cassandra's coordinator served so far, by kind and consistency level (its own metrics). */
    private static Map<String, Long> cassandraRequestsByConsistency() throws Exception {
        return LocalJmx.withCassandra(beans -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String scope : List.of("Read-QUORUM", "Write-QUORUM", "Read-LOCAL_ONE", "Write-LOCAL_ONE")) {
                counts.put(scope, ((Number) beans.getAttribute(new javax.management.ObjectName(
                        "org.apache.cassandra.metrics:type=ClientRequest,scope=" + scope + ",name=Latency"), "Count")).longValue());
            }
            return counts;
        });
    }

    @Test
    void erasesAThousandAssetsOfEveryTypeAndStatusAndLeavesEveryOtherUserByteForByte() throws Exception {
        String userId = "u-many-" + UUID.randomUUID();
        String name = "Mary Somerville " + tag();
        String prefix = prefix();
        List<String> own = content.seedAssets(prefix, userId, name, 1000);
        List<String> others = new ArrayList<>(content.seedAssets(prefix + "_other", "u-other-" + UUID.randomUUID(), "Emmy Noether " + tag(), 40));
        others.addAll(content.seedCollectionHolding(prefix + "_shelf", "u-shelf-" + UUID.randomUUID(), "Hedy Lamarr " + tag(),
                prefix + "_other_0", "u-unrelated", "Unrelated Author"));
        Map<String, String> before = content.snapshot(others);
        assertTrue(own.size() > 1000, "drafts were seeded too: " + own.size());
        assertTrue(content.copiesOfName(name).values().stream().allMatch(c -> c > 0), "the name was seeded in every store");

        JsonNode request = erase(userId, name);

        assertEquals(NO_COPIES, content.copiesOfName(name));
        Map<String, Integer> touched = touched(request);
        assertEquals(own.size(), touched.get("neo4j"), "every node, drafts included");
        assertEquals(own.size(), touched.get("elasticsearch"), "every document");
        assertTrue(touched.get("cassandra") >= 400, "every collection and question set hierarchy: " + touched);
        assertTrue(touched.get("redis") > 0, touched.toString());
        request.get("stores").forEach(store -> assertEquals(0, store.get("copiesLeft").asInt(), store.toString()));
        assertEquals(before, content.snapshot(others), "another user's data changed");
    }

    @Test
    void erasesDeletionsArrivingTogetherInOneBatchAndCountsEachUsersRecordsAsIfAlone() throws Exception {
        String prefix = prefix();
        String withChild = "u-batch-child-" + UUID.randomUUID();
        String childName = "Lise Meitner " + tag();
        String child = content.seedAssets(prefix + "_c", withChild, childName, 1).get(0);
        content.seedCollectionHolding(prefix + "_shelf", "u-owner-" + UUID.randomUUID(), "Chien-Shiung Wu " + tag(),
                child, withChild, childName);
        String withAsset = "u-batch-one-" + UUID.randomUUID();
        String assetName = "Rosalind Franklin " + tag();
        content.seedAssets(prefix + "_a", withAsset, assetName, 1);
        String withNothing = "u-batch-none-" + UUID.randomUUID();
        String topic = "delete.user.batch." + UUID.randomUUID();
        JsonNode first;
        JsonNode second;
        JsonNode third;
        // a batch completes on its third deletion only: the interval, which may fall between two events, never comes
        try (RunningRouter batching = RunningRouter.start(settings(topic, Map.of(
                "erasure.content.batch-size", "3", "erasure.content.batch-interval-ms", "600000")))) {
            events.publish(topic, withChild, DeletionEvents.deleteUser(withChild, childName, "org-1"));
            events.publish(topic, withAsset, DeletionEvents.deleteUser(withAsset, assetName, "org-1"));
            events.publish(topic, withNothing, DeletionEvents.deleteUser(withNothing, "Nobody " + tag(), "org-1"));
            first = batching.api().awaitFinished(withChild, 1, WAIT).get("erasures").get(0);
            second = batching.api().awaitFinished(withAsset, 1, WAIT).get("erasures").get(0);
            third = batching.api().awaitFinished(withNothing, 1, WAIT).get("erasures").get(0);
        }

        for (String store : List.of("neo4j", "cassandra", "elasticsearch", "redis")) {
            String batch = first.at("/stores/" + store + "/batchId").asText();
            assertFalse(batch.isEmpty(), store + " was rewritten in a batch");
            assertEquals(batch, second.at("/stores/" + store + "/batchId").asText(), "the events arrived together: one batch");
            assertEquals(batch, third.at("/stores/" + store + "/batchId").asText(), "the events arrived together: one batch");
        }
        assertEquals(Map.of("neo4j", 1, "cassandra", 2, "elasticsearch", 1, "redis", 2), touched(first),
                "the user's node and document, the collection's live and draft hierarchies, its two cache entries");
        assertEquals(Map.of("neo4j", 1, "cassandra", 0, "elasticsearch", 1, "redis", 0), touched(second));
        assertEquals(Map.of("neo4j", 0, "cassandra", 0, "elasticsearch", 0, "redis", 0), touched(third));
        for (JsonNode request : List.of(first, second, third)) {
            assertEquals("DONE", request.get("status").asText(), request.toString());
        }
        assertEquals(NO_COPIES, content.copiesOfName(childName));
        assertEquals(NO_COPIES, content.copiesOfName(assetName));
    }

    @Test
    void scrubsTheUsersChildInsideAnotherUsersCollectionAndEvictsThatCollectionsCache() throws Exception {
        String userId = "u-child-" + UUID.randomUUID();
        String name = "Sophie Germain " + tag();
        String ownerName = "Katherine Johnson " + tag();
        String prefix = prefix();
        String child = content.seedAssets(prefix, userId, name, 1).get(0);
        String shelf = prefix + "_shelf";
        content.seedCollectionHolding(shelf, "u-owner-" + UUID.randomUUID(), ownerName, child, userId, name);
        assertTrue(content.hierarchyOf(shelf + ".img").contains(name));

        erase(userId, name);

        for (String row : List.of(shelf, shelf + ".img")) {
            String hierarchy = content.hierarchyOf(row);
            assertFalse(hierarchy.contains(name), row + " still holds the name");
            assertTrue(hierarchy.contains(ownerName), "the collection owner's own entries are kept in " + row);
            JsonNode entry = JSON.readTree(hierarchy).at("/children/0/children/0/children/0");
            assertEquals(child, entry.get("identifier").asText());
            assertEquals("Deleted User", entry.get("creator").asText());
        }
        assertFalse(content.cached("hierarchy_" + shelf), "the collection's cached hierarchy is evicted");
        assertFalse(content.cached(shelf), "the collection's cached metadata is evicted");
        assertEquals(NO_COPIES, content.copiesOfName(name));
    }

    @Test
    void handlesIdsAndNamesWithQuotesBackslashesQueryMetacharactersAndNonLatinScripts() throws Exception {
        String userId = "u'\"\\; DETACH DELETE n; DROP TABLE x;-- $1 {} ` ü-" + UUID.randomUUID();
        String name = "O'Brien \"Bob\" \\ '); MATCH (n) DETACH DELETE n;-- 张伟 Дмитрий मोहन " + tag();
        String prefix = prefix();
        content.seedAssets(prefix, userId, name, 10);
        List<String> others = content.seedAssets(prefix + "_other", "u-other-" + UUID.randomUUID(), "Plain Name " + tag(), 10);
        Map<String, String> before = content.snapshot(others);

        JsonNode request = erase(userId, name);

        assertEquals(NO_COPIES, content.copiesOfName(name));
        assertEquals(userId, content.nodeOf(prefix + "_0").get("createdBy"), "the user id itself is kept as the owner");
        assertEquals(before, content.snapshot(others));
        assertEquals(11, touched(request).get("neo4j"), "ten assets and one draft");
    }

    @Test
    void aGraphRewriteWaitsForAConcurrentWriteToTheSameNodeAndThenRewritesWhatItWrote() throws Exception {
        String userId = "u-race-" + UUID.randomUUID();
        String name = "Hedy Lamarr " + tag();
        String asset = content.seedAssets(prefix(), userId, name, 1).get(0);
        AssetRewrite rewrite = new AssetRewrites(FieldRewriter.fromSettings(new java.util.TreeMap<>(Map.of(
                "createdBy", "creator, originData.creator.name", "lastPublishedBy", "publisher")), "Deleted User", null),
                "createdBy", ".img").erasure(new ErasureRequest("r-race", ErasureRequest.DELETE_USER, userId, "org-1", 0, name,
                null, null, List.of()));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (Driver driver = GraphDatabase.driver(RealServers.get().neo4jBoltUrl(), AuthTokens.none());
             Session session = driver.session(); Transaction publish = session.beginTransaction()) {
            GraphAssets graph = new GraphAssets(driver, "neo4j", 100, "domain", "IL_UNIQUE_ID", "hasSequenceMember", ".img");
            // another writer holds the node: the user publishes it (a new copy of the name), not yet committed
            publish.run("MATCH (n:domain {IL_UNIQUE_ID: $id}) SET n.lastPublishedBy = $user, n.publisher = $name",
                    Map.of("id", asset, "user", userId, "name", name)).consume();
            Future<Integer> rewritten = runner.submit(() -> graph.rewrite(List.of(asset), rewrite));
            awaitABlockedTransaction(driver);
            publish.commit();

            assertEquals(1, rewritten.get(60, TimeUnit.SECONDS));
        } finally {
            runner.shutdownNow();
        }
        Map<String, Object> node = content.nodeOf(asset);
        assertEquals("Deleted User", node.get("publisher"), "the rewrite read the node after the publication committed");
        assertEquals("Deleted User", node.get("creator"));
        assertFalse(node.containsKey("erasureRouterLock"), "the lock leaves no trace");
    }

    @Test
    void aHierarchyRewriteWaitsForTheHierarchysLockReadsAgainWhatThePassHoldingItWroteAndIsWrittenAtItsFencedTime() throws Exception {
        String userId = "u-held-" + UUID.randomUUID();
        String name = "Radia Perlman " + tag();
        String prefix = prefix();
        String collection = prefix + "_collection";
        content.seedCreator(prefix, userId, name);
        HierarchyLocks locks = new HierarchyLocks(new DriverManagerDataSource(RealServers.get().jdbcUrl(), "postgres", "postgres"));
        // another pass (of another instance, say) holds the collection's hierarchy
        HierarchyLocks.Held other = locks.lock(List.of(collection));
        try {
            events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, name, "org-1"));
            HierarchyLocksIT.awaitAPassWaitingForAHierarchyLock();
            String seen = content.hierarchyOf(collection);
            assertTrue(seen.contains(name), "not rewritten while the other pass holds it");
            // the other pass rewrites the hierarchy the waiting pass has already read, at the time its fence gives
            String edited = seen.replaceFirst("\\{", "{\"description\":\"edited by another pass\",");
            List<Object> write = locks.fence(other, List.of(List.of(edited, collection, content.hierarchyWriteTime(collection)))).get(0);
            content.writeHierarchy(collection, edited, (Long) write.get(0));
            locks.release(other);
        } finally {
            locks.close(other);
        }

        JsonNode request = finished(userId, 1);

        assertEquals(1, touched(request).get("cassandra"), request.toString());
        assertEquals(NO_COPIES, content.copiesOfName(name));
        assertTrue(content.hierarchyOf(collection).contains("edited by another pass"),
                "read again under the lock: the other pass's rewrite is kept, not overwritten by the version read before it");
        assertEquals(fencedWriteTime(collection), content.hierarchyWriteTime(collection),
                "written at the time the fence recorded for it in the ledger database");
    }

    private static long fencedWriteTime(String identifier) throws Exception {
        try (var db = java.sql.DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres");
             var ps = db.prepareStatement("SELECT write_time FROM hierarchy_write WHERE identifier = ?")) {
            ps.setString(1, identifier);
            try (var rs = ps.executeQuery()) {
                assertTrue(rs.next(), "a write time was fenced for " + identifier);
                return rs.getLong(1);
            }
        }
    }

    /** Waits until Neo4j shows a transaction waiting for another's lock (the rewrite, behind the open publication). */
    private static void awaitABlockedTransaction(Driver driver) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (driver.executableQuery("SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS blocked")
                .execute().records().get(0).get("blocked").asLong() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the rewrite never waited for the node's lock");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aSearchDocumentChangedSinceTheSearchFoundItIsReadAgainAndRewrittenAsItIsNow() throws Exception {
        String userId = "u-stale-" + UUID.randomUUID();
        String name = "Katherine Johnson " + tag();
        String asset = content.seedAssets(prefix(), userId, name, 1).get(0);
        content.refreshSearches(false);
        try {
            // another writer publishes the document (a new copy of the name) after the last refresh: the search still
            // answers it as it was, so its update on that version is refused and it must be read again by id
            content.editDocumentUnseenBySearches(asset, Map.of("lastPublishedBy", userId, "publisher", name, "description", "edited meanwhile"));

            JsonNode request = erase(userId, name);

            assertEquals(1, touched(request).get("elasticsearch"), "counted once, by the update of the document as read");
        } finally {
            content.refreshSearches(true);
        }
        JsonNode document = JSON.readTree(content.documentOf(asset));
        assertEquals("Deleted User", document.get("creator").asText());
        assertEquals("Deleted User", document.get("publisher").asText(), "rewritten from the document as it is now");
        assertEquals("edited meanwhile", document.get("description").asText(), "the other writer's change is kept");
        assertEquals(NO_COPIES, content.copiesOfName(name));
    }

    @Test
    void changesNothingWhenTheSameDeletionRunsAgain() throws Exception {
        String userId = "u-again-" + UUID.randomUUID();
        String name = "Rosalind Franklin " + tag();
        String prefix = prefix();
        List<String> own = content.seedAssets(prefix, userId, name, 25);
        erase(userId, name);
        Map<String, String> once = content.snapshot(own);

        JsonNode again = erase(userId, name, 2);

        assertEquals(Map.of("neo4j", 0, "cassandra", 0, "elasticsearch", 0, "redis", 0), touched(again));
        assertEquals(once, content.snapshot(own));
    }

    @Test
    void masksEachTargetWithItsStrategyAndLeavesTheStatusesAStoreSkips() throws Exception {
        String topic = "delete.user.strategies." + UUID.randomUUID();
        String secret = "strategy-secret";
        String userId = "u-strategies-" + UUID.randomUUID();
        String name = "Lise Meitner " + tag();
        String prefix = prefix();
        List<String> own = content.seedAssets(prefix, userId, name, 7);
        try (RunningRouter strategies = RunningRouter.start(settings(topic, Map.of(
                "erasure.pii.fields.createdBy", "creator:null, originData.creator.name:hash",
                "erasure.pii.fields.lastPublishedBy", "publisher:replace",
                "erasure.pii.hash-secret", secret,
                "erasure.elasticsearch.skip-statuses", "Retired")))) {
            events.publish(topic, userId, DeletionEvents.deleteUser(userId, name, "org-1"));
            JsonNode request = strategies.api().awaitFinished(userId, 1, WAIT).get("erasures").get(0);
            assertEquals("DONE", request.get("status").asText(), request.toString());
        }
        Map<String, Object> live = content.nodeOf(prefix + "_2");
        assertFalse(live.containsKey("creator"), "null removes the value");
        assertEquals("{\"creator\":{\"name\":\"" + hmac(secret, name) + "\"}}", live.get("originData"), "hash writes the HMAC");
        assertEquals("Deleted User", live.get("publisher"), "replace writes the replacement");
        assertEquals(List.of("Deleted User", "Sunbird Org"), content.nodeOf(prefix + "_3").get("publisher"),
                "an array has the name replaced, the other element kept");
        String retired = prefix + "_4";
        assertEquals("Retired", content.nodeOf(retired).get("status"));
        assertTrue(content.documentOf(retired).contains(name), "elasticsearch skips Retired documents");
        assertFalse(content.nodeOf(retired).containsKey("creator"), "the graph does not skip them");
        assertEquals(1L, content.copiesOfName(name).get("elasticsearch"));
        assertEquals(0L, content.copiesOfName(name).get("neo4j"));
        assertFalse(own.isEmpty());
    }

    @Test
    void handsANamedAssetAndItsDraftToTheNewOwnerInAllFourStores() throws Exception {
        String fromUser = "u-from-" + UUID.randomUUID();
        String toUser = "u-to-" + UUID.randomUUID();
        String fromName = "Ada Byron " + tag();
        String toName = "Grace Murray " + tag();
        String prefix = prefix();
        // asset 51 is a Live Collection with a draft; its hierarchy holds asset 52, which the transfer does not name
        List<String> own = content.seedAssets(prefix, fromUser, fromName, 52);
        String asset = prefix + "_51";
        assertTrue(own.contains(asset + ".img"));
        List<String> untouched = new ArrayList<>(own);
        untouched.removeAll(List.of(asset, asset + ".img"));
        Map<String, String> before = content.snapshot(untouched);
        assertTrue(content.cached(asset));

        events.publish(TOPIC, fromUser, DeletionEvents.transferOwnership(fromUser, fromName, toUser, toName, asset));
        JsonNode request = router.api().awaitFinished(fromUser, 1, WAIT).get("erasures").get(0);

        assertEquals("DONE", request.get("status").asText(), request.toString());
        assertEquals(Map.of("neo4j", 2, "cassandra", 2, "elasticsearch", 2, "redis", 2), touched(request));
        for (String id : List.of(asset, asset + ".img")) {
            Map<String, Object> node = content.nodeOf(id);
            assertEquals(toUser, node.get("createdBy"));
            assertEquals(toName, node.get("creator"));
            JsonNode root = JSON.readTree(content.hierarchyOf(id));
            assertEquals(toUser, root.get("createdBy").asText());
            assertEquals(toName, root.get("creator").asText());
            assertEquals(fromUser, root.at("/children/0/children/0/createdBy").asText(), "the child it holds is not named");
            JsonNode doc = JSON.readTree(content.documentOf(id));
            assertEquals(toUser, doc.get("createdBy").asText());
            assertEquals(toName, doc.get("creator").asText());
            assertFalse(content.cached(id), "the cached copy is evicted");
        }
        assertEquals("SKIPPED", request.at("/stores/jdbc/status").asText());
        assertEquals(before, content.snapshot(untouched), "assets the event did not name keep their owner");
    }

    @Test
    void handsEveryAssetToTheNewOwnerWhenTheTransferNamesNone() throws Exception {
        String fromUser = "u-from-all-" + UUID.randomUUID();
        String toUser = "u-to-all-" + UUID.randomUUID();
        String fromName = "Hypatia " + tag();
        String prefix = prefix();
        List<String> own = content.seedAssets(prefix, fromUser, fromName, 12);

        String toName = "Cecilia Payne " + tag();
        events.publish(TOPIC, fromUser, DeletionEvents.transferOwnership(fromUser, fromName, toUser, toName, null));
        JsonNode request = router.api().awaitFinished(fromUser, 1, WAIT).get("erasures").get(0);

        assertEquals("DONE", request.get("status").asText(), request.toString());
        for (String id : own) {
            Map<String, Object> node = content.nodeOf(id);
            assertEquals(toUser, node.get("createdBy"), id);
            assertEquals(toName, node.get("creator"), id);
            assertTrue(node.get("originData").toString().contains(toName), id);
            JsonNode doc = JSON.readTree(content.documentOf(id));
            assertEquals(toUser, doc.get("createdBy").asText(), id);
            assertEquals(toName, doc.get("creator").asText(), id);
            String hierarchy = content.hierarchyOf(id);
            if (hierarchy != null) {
                assertEquals(toUser, JSON.readTree(hierarchy).get("createdBy").asText(), id);
            }
            assertFalse(content.cached(id), id);
        }
        assertEquals(own.size(), touched(request).get("neo4j"), "twelve assets and a draft");
    }

    @Test
    void aCollectionHandedOverBeforeItsOwnersDeletionTakesTheUnitsTheyCreatedSoNoCopyOfTheirNameIsLeft() throws Exception {
        String fromUser = "u-from-units-" + UUID.randomUUID();
        String toUser = "u-to-units-" + UUID.randomUUID();
        String fromName = "Emmy Noether " + tag();
        String toName = "Olga Taussky " + tag();
        String collection = prefix() + "_collection";
        content.seedCollectionWithUnit(collection, fromUser, fromName);

        events.publish(TOPIC, fromUser, DeletionEvents.transferOwnership(fromUser, fromName, toUser, toName, collection));
        assertEquals("DONE", router.api().awaitFinished(fromUser, 1, WAIT).at("/erasures/0/status").asText());
        JsonNode unit = JSON.readTree(content.hierarchyOf(collection)).at("/children/0");
        assertEquals(toUser + " " + toName, unit.get("createdBy").asText() + " " + unit.get("creator").asText());
        // nothing of the user's is left for their deletion to find: a unit still naming them would never be found again
        events.publish(TOPIC, fromUser, DeletionEvents.deleteUser(fromUser, fromName, "org-1"));
        router.api().awaitFinished(fromUser, 2, WAIT);

        assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(fromName),
                "the deleted user's name is left nowhere, units included");
    }

    @Test
    void handsAssetsToANewOwnerWhoseDeletionRanFirstWithoutWritingTheirName() throws Exception {
        String fromUser = "u-from-" + UUID.randomUUID();
        String toUser = "u-to-deleted-" + UUID.randomUUID();
        String fromName = "Rózsa Péter " + tag();
        String toName = "Ida Rhodes " + tag();
        List<String> own = content.seedAssets(prefix(), fromUser, fromName, 3);
        events.publish(TOPIC, toUser, DeletionEvents.deleteUser(toUser, toName, "org-1"));
        router.api().awaitDoneOnce(toUser, WAIT);

        events.publish(TOPIC, fromUser, DeletionEvents.transferOwnership(fromUser, fromName, toUser, toName, null));
        JsonNode request = router.api().awaitFinished(fromUser, 1, WAIT).get("erasures").get(0);

        assertEquals("DONE", request.get("status").asText(), request.toString());
        for (String id : own) {
            assertEquals(toUser, content.nodeOf(id).get("createdBy"), id);
            assertEquals("Deleted User", content.nodeOf(id).get("creator"), id);
        }
        assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(toName),
                "the deleted new owner's name is written nowhere");
    }

    private static Map<String, String> settings(String topic, Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>(Map.of(
                "erasure.kafka.topics", topic,
                "erasure.kafka.dead-letter-topic", topic + ".dlq",
                "erasure.kafka.group-id", "content-" + UUID.randomUUID(),
                "erasure.stores", "neo4j,cassandra,elasticsearch,redis,jdbc",
                "erasure.jdbc.table.profile.table", "content_profile",
                "erasure.jdbc.batch-interval-ms", "200",
                "erasure.jdbc.queue-table", "content_batches",
                "erasure.page-size", "100",
                "erasure.elasticsearch.page-size", "100"));
        settings.putAll(extra);
        return settings;
    }

    private static JsonNode erase(String userId, String name) throws Exception {
        return erase(userId, name, 1);
    }

    /** Publishes a deletion and answers the user's {@code nth} finished request from the ledger, checked DONE. */
    private static JsonNode erase(String userId, String name, int nth) throws Exception {
        events.publish(TOPIC, userId, DeletionEvents.deleteUser(userId, name, "org-1"));
        return finished(userId, nth);
    }

    /** The user's {@code nth} finished request from the ledger, checked DONE. */
    private static JsonNode finished(String userId, int nth) throws Exception {
        JsonNode erasures = router.api().awaitFinished(userId, nth, WAIT).get("erasures");
        JsonNode request = erasures.get(0);
        assertEquals("DONE", request.get("status").asText(), request.toString());
        return request;
    }

    private static Map<String, Integer> touched(JsonNode request) {
        Map<String, Integer> touched = new LinkedHashMap<>();
        request.get("stores").fields().forEachRemaining(s -> {
            if (!s.getKey().equals("jdbc")) {
                touched.put(s.getKey(), s.getValue().get("assetsTouched").asInt());
            }
        });
        return touched;
    }

    private static String prefix() {
        return "do_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hmac(String secret, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
