package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/** A deletion event travels from Kafka through the runtime to every store and leaves a receipt in object storage. */
@ExtendWith(RealServers.class)
class DeletionEventRoundTripIT {

    @Test
    void consumesADeletionEventFromKafkaAndWritesAReceiptNamingEveryStoreReached() throws Exception {
        String topic = "delete.user." + UUID.randomUUID();
        String bucket = "receipts-" + UUID.randomUUID();
        String userId = "user-" + UUID.randomUUID();
        try (RunningRouter router = RunningRouter.start(Map.of("erasure.kafka.topics", topic, "erasure.s3.bucket", bucket))) {
            NotifyBuilder done = new NotifyBuilder(router.context()).fromRoute("intake").whenCompleted(1).create();

            router.template().sendBody("kafka:" + topic + "?brokers=" + RealServers.get().kafkaBootstrap(),
                    DeletionEvents.deleteUser(userId, "Ada Lovelace", "org-1"));

            assertTrue(done.matches(60, TimeUnit.SECONDS), "the event was consumed and completed");
        }
        try (S3Client s3 = RealServers.get().s3Client()) {
            String receipt = s3.getObjectAsBytes(b -> b.bucket(bucket).key("receipts/" + userId + ".json")).asUtf8String();
            JsonNode stores = new ObjectMapper().readTree(receipt);
            assertEquals(6, stores.size(), receipt);
            assertTrue(StreamSupport.stream(stores.spliterator(), false).allMatch(s -> s.get("reached").asBoolean()), receipt);
            assertFalse(receipt.contains("Ada Lovelace"), "the receipt holds no name");
        }
    }
}
