package org.erasurerouter.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.erasurerouter.DeletionEvents;
import org.erasurerouter.ErasureRouter;
import org.erasurerouter.servers.RealServers;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * README's first command: starts the real servers on this machine, seeds demo data, starts the runtime against them,
 * publishes a demo deletion event and shows what happened; then publishes one more for each user id typed.
 */
public final class LocalStack {
    private final RealServers servers;
    private final Main runtime;
    private final ProducerTemplate producer;
    private final S3Client s3;
    private final DemoData demo;
    private final String topic;
    private final String bucket;

    private LocalStack(RealServers servers, Main runtime) {
        this.servers = servers;
        this.runtime = runtime;
        this.producer = runtime.getCamelContext().createProducerTemplate();
        this.demo = new DemoData(servers);
        this.topic = resolve("erasure.kafka.topics").split(",")[0].trim();
        this.bucket = resolve("erasure.s3.bucket");
        this.s3 = servers.s3Client();
    }

    public static void main(String[] args) throws Exception {
        System.out.println("Starting Kafka, PostgreSQL, Redis, S3, Neo4j, Cassandra and Elasticsearch on this machine…");
        RealServers servers = RealServers.startAll();
        Main runtime = ErasureRouter.newMain();
        RealServers.stopOnExit(runtime::stop);
        runtime.setOverrideProperties(servers.runtimeProperties());
        runtime.start();
        LocalStack stack = new LocalStack(servers, runtime);
        stack.demo.seed();
        System.out.println("Seeded demo data: user " + DemoData.USER_ID + " owns a content, its draft and a collection in every store.");
        stack.delete(DemoData.USER_ID);
        stack.promptForMore();
    }

    private void delete(String userId) throws Exception {
        Instant sent = Instant.now();
        producer.sendBody("kafka:" + topic, DeletionEvents.deleteUser(userId,
                DemoData.USER_ID.equals(userId) ? DemoData.USER_NAME : "Local User", DemoData.ORG_ID));
        System.out.printf("%nPublished a delete-user event for %s on topic %s.%n", userId, topic);
        JsonNode receipt = awaitReceipt("receipts/" + userId + ".json", sent);
        if (receipt == null) {
            System.out.println("No receipt within 60 s: see the runtime's log above.");
            return;
        }
        System.out.printf("Processed in %d ms. Receipt: s3://%s/receipts/%s.json%n", java.time.Duration.between(sent, Instant.now()).toMillis(), bucket, userId);
        System.out.printf("  %-14s %-8s %s%n", "store", "reached", "detail");
        for (JsonNode store : receipt) {
            System.out.printf("  %-14s %-8s %s%n", store.get("store").asText(), store.get("reached").asBoolean() ? "yes" : "NO", store.get("detail").asText());
        }
        if (DemoData.USER_ID.equals(userId)) {
            Map<String, Long> left = demo.copiesOfName(DemoData.USER_NAME);
            System.out.println("Records still holding the demo user's name: " + left);
            System.out.println("(Erasure itself lands with the store routes of issues #3-#4; until then these counts stay.)");
        }
    }

    private JsonNode awaitReceipt(String key, Instant notBefore) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                var object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
                if (!object.response().lastModified().isBefore(notBefore.minusSeconds(1))) {
                    return new ObjectMapper().readTree(object.asUtf8String());
                }
            } catch (NoSuchKeyException | software.amazon.awssdk.services.s3.model.NoSuchBucketException notYet) {
                // the runtime has not written it yet
            }
            Thread.sleep(250);
        }
        return null;
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
