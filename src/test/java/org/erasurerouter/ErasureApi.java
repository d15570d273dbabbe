package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.stream.StreamSupport;

/** A client of the runtime's HTTP API, as an operator would use it: the ledger of a user, replays, reconciliations. */
public final class ErasureApi {
    private static final Set<String> FINISHED = Set.of("DONE", "PARKED", "FAILED");

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ErasureApi(int port) {
        this.base = "http://localhost:" + port + "/api";
    }

    /**
     * Waits until the API answers, as a runtime starting in a JVM of its own does once its routes are up (its HTTP
     * server answers 404 before that); fails after the timeout.
     */
    public ErasureApi awaitAnswering(Duration timeout) throws Exception {
        HttpRequest probe = HttpRequest.newBuilder(URI.create(base + "/erasures/nobody")).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (java.net.ConnectException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the API at " + base + " did not answer within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /** GET /api/erasures/{userId}. */
    public JsonNode erasuresOf(String userId) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/erasures/" + encode(userId))).GET().build());
    }

    /** POST /api/replays with optional filters; answers how many requests were queued for a replay. */
    public int replay(String userId, String store) throws Exception {
        StringBuilder query = new StringBuilder();
        if (userId != null) {
            query.append("userId=").append(encode(userId));
        }
        if (store != null) {
            query.append(query.isEmpty() ? "" : "&").append("store=").append(encode(store));
        }
        URI uri = URI.create(base + "/replays" + (query.isEmpty() ? "" : "?" + query));
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build()).get("replayed").asInt();
    }

    /** POST /api/reconciliations: runs a reconciliation and answers its summary (or SKIPPED with the latest one). */
    public JsonNode reconcile() throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/reconciliations")).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Waits until the user has {@code requests} finished requests, and answers the ledger; fails after the timeout. */
    public JsonNode awaitFinished(String userId, int requests, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode ledger = erasuresOf(userId);
        while (finished(ledger) < requests) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within " + timeout + " the ledger of " + userId + " did not show " + requests
                        + " finished request(s): " + ledger);
            }
            Thread.sleep(200);
            ledger = erasuresOf(userId);
        }
        return ledger;
    }

    /**
     * Waits until the user's one request is finished, and checks that it is DONE and that every store it used was
     * attempted exactly once (no store applied twice); answers the request.
     */
    public JsonNode awaitDoneOnce(String userId, Duration timeout) throws Exception {
        JsonNode erasures = awaitFinished(userId, 1, timeout).get("erasures");
        assertEquals(1, erasures.size(), erasures.toString());
        JsonNode request = erasures.get(0);
        assertEquals("DONE", request.get("status").asText(), request.toString());
        request.get("stores").fields().forEachRemaining(s -> assertEquals("SKIPPED".equals(s.getValue().get("status").asText()) ? 0 : 1,
                s.getValue().get("attempts").asInt(), userId + " applied once in " + s.getKey() + ": " + s.getValue()));
        return request;
    }

    private static long finished(JsonNode ledger) {
        return StreamSupport.stream(ledger.get("erasures").spliterator(), false)
                .filter(e -> FINISHED.contains(e.get("status").asText())).count();
    }

    private JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return new ObjectMapper().readTree(response.body());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
