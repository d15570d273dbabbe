package org.erasurerouter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

/** The runtime's management port as a monitoring system sees it: /observe/health and /observe/metrics over HTTP. */
public final class Management {
    private final String base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Management(int port, String user, String password) {
        this.base = "http://localhost:" + port;
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The management port of a runtime, as a client holding {@code user}'s password (none when null). */
    public static Management of(RunningRouter router, String user, String password) {
        return new Management(Integer.parseInt(router.context().getPropertiesComponent()
                .resolveProperty("camel.management.port").orElseThrow()), user, password);
    }

    public HttpResponse<String> get(String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code path} until its answer matches, and answers it; fails with the last answer after the timeout. */
    public HttpResponse<String> await(String path, Predicate<HttpResponse<String>> wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> response = get(path);
        while (!wanted.test(response)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within " + timeout + " GET " + path + " did not answer as expected; last: "
                        + response.statusCode() + " " + response.body());
            }
            Thread.sleep(500);
            response = get(path);
        }
        return response;
    }

    /**
     * The sum of the samples of {@code name} in Prometheus text that carry every one of {@code labels} (written
     * {@code key="value"}), whatever other labels they have; 0 when there is none.
     */
    public static double sample(String prometheus, String name, String... labels) {
        return prometheus.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
