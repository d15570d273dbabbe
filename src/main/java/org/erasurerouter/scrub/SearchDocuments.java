package org.erasurerouter.scrub;

import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.UpdateOperation;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.core.search.HitsMetadata;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.erasurerouter.intake.ErasureRequest;

/** Builds the search and the partial-document bulk updates that scrub the user's documents in Elasticsearch. */
public class SearchDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FieldRewriter rewriter;

    public SearchDocuments(FieldRewriter rewriter) {
        this.rewriter = rewriter;
    }

    /** The query for documents whose search keys name the user (the rewriter checks exact equality per document). */
    public Map<String, Object> query(ErasureRequest request) {
        List<Object> should = new ArrayList<>();
        for (String key : rewriter.searchKeys()) {
            should.add(Map.of("match_phrase", Map.of(key, request.userId())));
        }
        return Map.of("bool", Map.of("should", should, "minimum_should_match", 1));
    }

    /** One partial {@code doc} update per found document that holds the user's data; no scripts. */
    public List<UpdateOperation.Builder<Object, Object>> updates(HitsMetadata<ObjectNode> hits, ErasureRequest request) {
        List<UpdateOperation.Builder<Object, Object>> updates = new ArrayList<>();
        for (Hit<ObjectNode> hit : hits.hits()) {
            if (hit.source() == null) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> source = JSON.convertValue(hit.source(), Map.class);
            Map<String, Object> changes = rewriter.changes(source, request.userId(), request.userName());
            if (!changes.isEmpty()) {
                updates.add(new UpdateOperation.Builder<Object, Object>().index(hit.index()).id(hit.id())
                        .action(a -> a.doc(changes)));
            }
        }
        return updates;
    }

    /** The number of documents updated; fails naming the document and error type (never a value) if any item failed. */
    public int applied(List<BulkResponseItem> items) {
        for (BulkResponseItem item : items) {
            if (item.error() != null) {
                throw new IllegalStateException("elasticsearch refused the update of " + item.index() + "/" + item.id()
                        + ": " + item.error().type());
            }
        }
        return items.size();
    }
}
