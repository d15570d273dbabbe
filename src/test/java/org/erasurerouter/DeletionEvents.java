package org.erasurerouter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.erasurerouter.servers.RealServers;

/** Deletion events in the job-request format Sunbird's user service publishes, and a producer for them. */
public final class DeletionEvents implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    private DeletionEvents() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** A producer to the real Kafka of the test servers. */
    public static DeletionEvents producer() {
        return new DeletionEvents();
    }

    /** Publishes an event with a key (events with one key keep their order) and waits until Kafka has it. */
    public void publish(String topic, String key, byte[] event) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, event)).get();
    }

    /** Publishes many events (key to event) at once and waits until Kafka has every one. */
    public void publishAll(String topic, Map<String, String> events) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        events.forEach((key, event) -> sent.add(producer.send(new ProducerRecord<>(topic, key, event.getBytes(StandardCharsets.UTF_8)))));
        for (java.util.concurrent.Future<?> f : sent) {
            f.get();
        }
    }

    public void publish(String topic, String key, String event) throws Exception {
        publish(topic, key, event.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close();
    }

    /** A delete-user event for {@code userId}; {@code userName} is PII that must never be logged. */
    public static String deleteUser(String userId, String userName, String organisationId) {
        long ets = System.nanoTime();
        return """
                {"eid":"BE_JOB_REQUEST","ets":%d,"mid":%s,
                 "actor":{"id":"Sunbird LMS Flink Job","type":"System"},
                 "context":{"pdata":{"id":"org.sunbird.platform","ver":"1.0"},"channel":%s,"env":"local"},
                 "object":{"id":%s,"type":"User"},
                 "edata":{"action":"delete-user","iteration":1,"userId":%s,"organisationId":%s,"userName":%s,
                          "roles":["CONTENT_CREATOR"],"suggested_users":[],"managed_users":[]}}"""
                .formatted(System.currentTimeMillis(), json("LP." + ets + "." + userId), json(organisationId),
                        json(userId), json(userId), json(organisationId), json(userName));
    }

    /** An ownership-transfer event handing one asset of {@code fromUserId} (all of them when null) to {@code toUserId}. */
    public static String transferOwnership(String fromUserId, String fromName, String toUserId, String toName, String assetId) {
        long ets = System.nanoTime();
        return """
                {"eid":"BE_JOB_REQUEST","ets":%d,"mid":%s,
                 "object":{"id":%s,"type":"User"},
                 "edata":{"action":"ownership-transfer","organisationId":"org-1",
                          "fromUserProfile":{"userId":%s,"userName":%s,"roles":["CONTENT_CREATOR"]},
                          "toUserProfile":{"userId":%s,"userName":%s,"firstName":"x","lastName":"y","roles":["CONTENT_CREATOR"]},
                          "actionBy":{"userId":"admin-1","userName":"Admin"}%s}}"""
                .formatted(System.currentTimeMillis(), json("LP." + ets + ".transfer." + fromUserId), json(fromUserId),
                        json(fromUserId), json(fromName), json(toUserId), json(toName),
                        assetId == null ? "" : ",\n\"assetInformation\":{\"objectType\":\"Content\",\"identifier\":" + json(assetId) + "}");
    }

    /** A value as a JSON string literal, quotes and backslashes escaped. */
    private static String json(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
