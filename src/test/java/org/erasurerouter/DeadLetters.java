package org.erasurerouter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.erasurerouter.servers.RealServers;

/** Reads a dead-letter topic from its beginning, as an operator's tool would. */
public final class DeadLetters {
    private DeadLetters() {}

    /** A record on the dead-letter topic: its bytes and its headers as strings. */
    public record Letter(byte[] value, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** Waits until the topic holds at least {@code count} records that are {@code wanted}, and answers those. */
    public static List<Letter> read(String topic, java.util.function.Predicate<Letter> wanted, int count, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (letters.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new TreeMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                    }
                    Letter letter = new Letter(r.value(), headers);
                    if (wanted.test(letter)) {
                        letters.add(letter);
                    }
                }
            }
        }
        if (letters.size() < count) {
            throw new AssertionError("expected " + count + " record(s) on " + topic + " within " + timeout + " but got " + letters.size());
        }
        return letters;
    }
}
