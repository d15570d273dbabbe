package org.erasurerouter.scrub;

import co.elastic.clients.elasticsearch._types.InlineGet;
import co.elastic.clients.elasticsearch.core.MgetRequest;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.UpdateOperation;
import co.elastic.clients.elasticsearch.core.get.GetResult;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.core.search.HitsMetadata;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the searches and the partial-document bulk updates that rewrite the request's documents in Elasticsearch,
 * and checks what the index answers. No {@code _update_by_query}, no scripts: each document is read, rewritten
 * here with the same rules as every other store, and written back as a partial {@code doc}.
 */
public class SearchDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The query for the documents whose search keys name the request's user (the rules then check exact equality
     * per document), narrowed to the assets a transfer names.
     */
    public Map<String, Object> byOwner(AssetRewrite rewrite) {
        List<Object> should = new ArrayList<>();
        for (String key : rewrite.searchKeys()) {
            for (String owner : rewrite.owners()) {
                should.add(Map.of("match_phrase", Map.of(key, owner)));
            }
        }
        if (rewrite.identifiers().isEmpty()) {
            return Map.of("bool", Map.of("should", should, "minimum_should_match", 1));
        }
        return Map.of("bool", Map.of("should", should, "minimum_should_match", 1,
                "filter", List.of(byIdentifiers(List.copyOf(rewrite.identifiers())))));
    }

    /** The query for documents by identifier (the document id), for assets the graph found. */
    public Map<String, Object> byIdentifiers(List<String> identifiers) {
        return Map.of("ids", Map.of("values", identifiers));
    }

    /** The hits of one search answer. */
    public List<Hit<ObjectNode>> hits(HitsMetadata<ObjectNode> hits) {
        return hits.hits();
    }

    /** The hits of a scrolled search in lists of {@code size}, read as they are used; closing ends the scroll. */
    public Iterator<List<Hit<ObjectNode>>> pages(Iterator<Hit<ObjectNode>> scroll, int size) {
        return new Pages(scroll, size);
    }

    /** An empty set of documents rewritten and re-read, which the pages of a request's pass fill. */
    public Set<String> noneVerified() {
        return new HashSet<>();
    }

    /** Remembers documents rewritten (or left as they were) and re-read clean, in {@code verified}. */
    public void verified(Set<String> verified, List<String> ids) {
        verified.addAll(ids);
    }

    /** The identifiers whose documents were not already rewritten and re-read in this pass. */
    public List<String> notVerified(List<String> identifiers, Set<String> verified) {
        return identifiers.stream().filter(id -> !verified.contains(id)).toList();
    }

    /**
     * The search for up to {@code size} documents of {@code index} that match {@code query}, each answered with the
     * sequence number and primary term it was found at, so that its update applies only to the version found. A shard
     * that fails or times out fails the search: by default the index answers with the other shards' hits alone, and
     * camel-elasticsearch hands on only the hits, so the documents on that shard would be neither rewritten nor proven.
     */
    public SearchRequest.Builder search(Map<String, Object> query, AssetRewrite rewrite, String index, int size)
            throws JsonProcessingException {
        String json = JSON.writeValueAsString(query);
        return new SearchRequest.Builder().index(index).size(size).seqNoPrimaryTerm(true).allowPartialSearchResults(false)
                .query(q -> q.withJson(new StringReader(json))).source(only(rewrite));
    }

    /**
     * Of each document, only the fields the rewrite reads (search keys, the rules' first fields, status): all that is
     * compared, rewritten or proven clean. A Sunbird document carries dozens more (description, keywords, URLs), which
     * the index would otherwise serialise and the runtime parse, for every document found and every one updated.
     */
    private static co.elastic.clients.elasticsearch.core.search.SourceConfig only(AssetRewrite rewrite) {
        List<String> fields = List.copyOf(rewrite.fieldsRead());
        return co.elastic.clients.elasticsearch.core.search.SourceConfig.of(s -> s.filter(f -> f.includes(fields)));
    }

    /** The document ids of some hits. */
    public List<String> ids(List<Hit<ObjectNode>> hits) {
        return hits.stream().map(Hit::id).toList();
    }

    /**
     * One partial {@code doc} update per found document that holds the request's data as the search answered it, which
     * applies only if the document is still at the version found ({@code if_seq_no}, {@code if_primary_term}). A search
     * may be a moment behind: the index refuses the update of a document changed since (a concurrent rewrite, or an
     * earlier erasure the search did not see yet), and that document is read again by id ({@link #toReadAgain}).
     * A hit without its version (a search that did not ask for it) gets no update here: it is read again too.
     */
    public List<UpdateOperation.Builder<Object, Object>> updatesAsFound(List<Hit<ObjectNode>> hits, AssetRewrite rewrite,
                                                                        String skipStatuses) {
        Set<String> skip = AssetRewrite.statuses(skipStatuses);
        List<UpdateOperation.Builder<Object, Object>> updates = new ArrayList<>();
        for (Hit<ObjectNode> hit : hits) {
            if (hit.seqNo() != null && hit.primaryTerm() != null) {
                update(hit.index(), hit.id(), hit.seqNo(), hit.primaryTerm(), hit.source(), rewrite, skip).ifPresent(updates::add);
            }
        }
        return updates;
    }

    /**
     * The found documents no update of {@link #updatesAsFound} applied to, to read them again by id (a multi-get is
     * real-time): those found holding none of the request's data, whose read proves they still hold none, and those
     * changed since they were found. {@code items} is the bulk's answer, or empty when no update was sent.
     */
    public List<String> toReadAgain(List<String> found, List<BulkResponseItem> items) {
        Set<String> updated = new HashSet<>();
        for (BulkResponseItem item : items) {
            if (item.error() == null) {
                updated.add(item.id());
            }
        }
        return found.stream().filter(id -> !updated.contains(id)).toList();
    }

    /**
     * The real-time read by id of the found documents no update applied to ({@link #toReadAgain}), each answered with
     * only the fields the rewrite reads, like the search that found them: a document is compared, rewritten or proven
     * clean on those alone, and a Sunbird document carries dozens more.
     */
    public MgetRequest.Builder readAgain(List<String> ids, AssetRewrite rewrite, String index) {
        return new MgetRequest.Builder().index(index).ids(ids).sourceIncludes(List.copyOf(rewrite.fieldsRead()));
    }

    /**
     * One partial {@code doc} update per document that holds the request's data, computed from the documents as just
     * read by id (a multi-get is real-time; a search is not, and may answer a document as it was before a moment ago).
     * Each update applies only if the document has not changed since that read ({@code if_seq_no}, {@code
     * if_primary_term}): a concurrent rewrite of the same field (another batch, a transfer, another instance) then fails
     * this pass, which is retried, instead of being overwritten with a value computed from the older document.
     * Statuses in {@code skip} are left. A document the search found but the read did not (an error, or not found:
     * deleted meanwhile, or routed elsewhere) fails the pass, which is retried: it may still hold a copy.
     */
    public List<UpdateOperation.Builder<Object, Object>> updates(List<MultiGetResponseItem<ObjectNode>> docs,
                                                                 AssetRewrite rewrite, String skipStatuses) {
        Set<String> skip = AssetRewrite.statuses(skipStatuses);
        List<UpdateOperation.Builder<Object, Object>> updates = new ArrayList<>();
        for (MultiGetResponseItem<ObjectNode> doc : docs) {
            if (doc.isFailure() || !doc.result().found()) {
                throw new IllegalStateException("elasticsearch could not read the found document "
                        + (doc.isFailure() ? doc.failure().id() + ": " + doc.failure().error().type() : doc.result().id() + ": not found"));
            }
            GetResult<ObjectNode> read = doc.result();
            update(read.index(), read.id(), read.seqNo(), read.primaryTerm(), read.source(), rewrite, skip).ifPresent(updates::add);
        }
        return updates;
    }

    /** The conditional update of a document read at {@code seqNo}/{@code primaryTerm}, if it holds the request's data. */
    private static Optional<UpdateOperation.Builder<Object, Object>> update(String index, String id, long seqNo,
            long primaryTerm, ObjectNode source, AssetRewrite rewrite, Set<String> skip) {
        Map<String, Object> changes = changes(id, source, rewrite, skip);
        if (changes.isEmpty()) {
            return Optional.empty();
        }
        // the answer carries the document as stored after the update: the proof it holds no copy
        return Optional.of(new UpdateOperation.Builder<Object, Object>().index(index).id(id)
                .ifSeqNo(seqNo).ifPrimaryTerm(primaryTerm)
                .action(a -> a.doc(changes).source(only(rewrite))));
    }

    /**
     * The number of documents that changed; fails naming the document and error type (never a value) if any item
     * failed (a {@code version_conflict_engine_exception}: the document changed since it was read), once every answer
     * is counted. An update the index answers {@code noop} (it changed nothing), or refused, is not counted, neither in
     * the answer nor in a batch's per-request counts ({@link AssetRewrite#touched()}).
     */
    public int applied(List<BulkResponseItem> items, AssetRewrite rewrite) {
        return applied(items, rewrite, false);
    }

    /**
     * {@link #applied} for the updates of {@link #updatesAsFound}: a document changed since the search found it
     * ({@code version_conflict_engine_exception}) is neither counted nor a failure; it is read again.
     */
    public int appliedAsFound(List<BulkResponseItem> items, AssetRewrite rewrite) {
        return applied(items, rewrite, true);
    }

    private static int applied(List<BulkResponseItem> items, AssetRewrite rewrite, boolean changedSinceFoundIsReadAgain) {
        int changed = 0;
        BulkResponseItem refused = null;
        // every answer is taken into account before a refusal fails the pass: an update that applied stays counted when
        // the pass runs again and finds its document clean (or, from a search a moment behind, as it was)
        for (BulkResponseItem item : items) {
            if (item.error() == null && !"noop".equals(item.result())) {
                rewrite.confirmedChanged(item.id());
                changed++;
                continue;
            }
            rewrite.leftAsItWas(item.id());
            boolean readAgain = changedSinceFoundIsReadAgain && changedSinceRead(item);
            if (item.error() != null && !readAgain && refused == null) {
                refused = item;
            }
        }
        if (refused != null) {
            throw new IllegalStateException("elasticsearch refused the update of " + refused.index() + "/" + refused.id()
                    + ": " + refused.error().type());
        }
        return changed;
    }

    /**
     * Proves the updated documents clean from the bulk's answer, which carries each one as stored after its update
     * (the documents not updated are read by id, in real time, and must hold none of the request's data; an update
     * refused because its document changed since it was found is skipped: that document is read again): answers
     * {@code touched} when none would change again.
     *
     * @throws CopiesRemainException when some document still holds the user's data, or was answered without its source
     */
    public int verify(List<BulkResponseItem> items, AssetRewrite rewrite, String skipStatuses, int touched) {
        Set<String> skip = AssetRewrite.statuses(skipStatuses);
        int left = 0;
        for (BulkResponseItem item : items) {
            if (changedSinceRead(item)) {
                // not updated: read again (an update as read fails the pass before its verification)
                continue;
            }
            InlineGet<Map<String, JsonData>> written = item.get();
            if (written == null || written.source() == null || !rewrite.changes(item.id(), sourceOf(written.source()), skip).isEmpty()) {
                left++;
            }
        }
        return CopiesRemainException.unlessAny("elasticsearch", left, touched);
    }

    /** The index refused an update because the document is no longer at the version it was read at. */
    private static boolean changedSinceRead(BulkResponseItem item) {
        return item.error() != null && item.status() == 409;
    }

    /** A bulk answer's source as the rules read it: each field's value as plain Java (maps, lists, strings). */
    private static Map<String, Object> sourceOf(Map<String, JsonData> source) {
        Map<String, Object> fields = new java.util.HashMap<>();
        source.forEach((field, value) -> fields.put(field, value.to(Object.class)));
        return fields;
    }

    /** How many of the found documents still hold the request's data (what reconciliation counts). */
    public int residuals(List<Hit<ObjectNode>> hits, AssetRewrite rewrite, String skipStatuses) {
        Set<String> skip = AssetRewrite.statuses(skipStatuses);
        return (int) hits.stream().filter(hit -> !changes(hit.id(), hit.source(), rewrite, skip).isEmpty()).count();
    }

    private static Map<String, Object> changes(String id, ObjectNode source, AssetRewrite rewrite, Set<String> skip) {
        if (source == null) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = JSON.convertValue(source, Map.class);
        return rewrite.changes(id, metadata, skip);
    }

    /** Groups a scroll's hits; closes the scroll (clearing it on the server) when closed itself. */
    private static final class Pages implements Iterator<List<Hit<ObjectNode>>>, Closeable {
        private final Iterator<Hit<ObjectNode>> hits;
        private final int size;

        Pages(Iterator<Hit<ObjectNode>> hits, int size) {
            this.hits = hits;
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return hits.hasNext();
        }

        @Override
        public List<Hit<ObjectNode>> next() {
            if (!hits.hasNext()) {
                throw new NoSuchElementException();
            }
            List<Hit<ObjectNode>> page = new ArrayList<>(size);
            while (page.size() < size && hits.hasNext()) {
                page.add(hits.next());
            }
            return page;
        }

        @Override
        public void close() throws IOException {
            if (hits instanceof Closeable closeable) {
                closeable.close();
            }
        }
    }
}
