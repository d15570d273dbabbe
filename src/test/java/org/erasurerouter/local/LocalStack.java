package org.erasurerouter.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.erasurerouter.DeletionEvents;
import org.erasurerouter.ErasureApi;
import org.erasurerouter.ErasureRouter;
import org.erasurerouter.servers.RealServers;

/**
 * README's first command: starts the real servers on this machine, seeds demo data, starts the runtime against them,
 * publishes a demo deletion event and shows what happened; then publishes one more for each user id typed.
 */
public final class LocalStack {
    private final RealServers servers;
    private final Main runtime;
    private final ProducerTemplate producer;
    private final ErasureApi api;
    private final DemoData demo;
    private final String topic;

    private LocalStack(RealServers servers, Main runtime) {
        this.servers = servers;
        this.runtime = runtime;
        this.producer = runtime.getCamelContext().createProducerTemplate();
        this.demo = new DemoData(servers);
        this.topic = resolve("erasure.kafka.topics").split(",")[0].trim();
        this.api = new ErasureApi(Integer.parseInt(resolve("camel.server.port")));
    }

    public static void main(String[] args) throws Exception {
        System.out.println("Starting Kafka, PostgreSQL, Redis, S3, Neo4j, Cassandra and Elasticsearch on this machine…");
        RealServers servers = RealServers.startAll();
        new DemoData(servers).seed();
        Main runtime = ErasureRouter.newMain();
        RealServers.stopOnExit(runtime::stop);
        runtime.setOverrideProperties(servers.runtimeProperties());
        runtime.start();
        LocalStack stack = new LocalStack(servers, runtime);
        System.out.println("Seeded demo data: user " + DemoData.USER_ID + " owns a content, its draft and a collection in every store.");
        stack.delete(DemoData.USER_ID);
        stack.promptForMore();
    }

    private void delete(String userId) throws Exception {
        Instant sent = Instant.now();
        int before = api.erasuresOf(userId).get("erasures").size();
        producer.sendBody("kafka:" + topic, DeletionEvents.deleteUser(userId,
                DemoData.USER_ID.equals(userId) ? DemoData.USER_NAME : "Local User", DemoData.ORG_ID));
        System.out.printf("%nPublished a delete-user event for %s on topic %s.%n", userId, topic);
        JsonNode ledger;
        try {
            ledger = api.awaitFinished(userId, before + 1, Duration.ofSeconds(120));
        } catch (AssertionError notYet) {
            System.out.println("Not finished within 120 s: see the runtime's log above and " + ledgerUrl(userId));
            return;
        }
        JsonNode request = ledger.get("erasures").get(0);
        System.out.printf("Request %s: %s in %d ms. Ledger: %s%n", request.get("requestId").asText(), request.get("status").asText(),
                Duration.between(sent, Instant.now()).toMillis(), ledgerUrl(userId));
        System.out.printf("  %-14s %-8s %-8s %-8s %s%n", "store", "status", "assets", "attempts", "last error");
        request.get("stores").fields().forEachRemaining(store -> System.out.printf("  %-14s %-8s %-8s %-8s %s%n", store.getKey(),
                store.getValue().get("status").asText(), store.getValue().get("assetsTouched").asText(),
                store.getValue().get("attempts").asText(), store.getValue().get("lastError").asText("")));
        if (DemoData.USER_ID.equals(userId)) {
            Map<String, Long> left = demo.copiesOfName(DemoData.USER_NAME);
            System.out.println("Records still holding the demo user's name: " + left);
        }
    }

    private String ledgerUrl(String userId) {
        return "http://localhost:" + resolve("camel.server.port") + "/api/erasures/" + userId;
    }

    private void promptForMore() throws Exception {
        System.out.printf("%nThe runtime keeps running. Kafka: %s, topic %s. Health: http://localhost:%s/observe/health%n",
                servers.kafkaBootstrap(), topic, resolve("camel.management.port"));
        System.out.println("Type a user id and press Enter to publish another deletion; Ctrl-C stops everything.");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
                delete(line.trim());
            }
        }
        // input closed (not a terminal): keep serving until Ctrl-C
        Thread.currentThread().join();
    }

    private String resolve(String key) {
        return runtime.getCamelContext().getPropertiesComponent().resolveProperty(key).orElseThrow();
    }
}
