package org.erasurerouter.servers;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/** A real single-node Kafka 3.9 broker in KRaft mode, in this JVM. */
final class KafkaServer implements AutoCloseable {
    private final Properties config;
    private KafkaRaftServer server;
    final String bootstrap;

    private KafkaServer(Properties config, KafkaRaftServer server, String bootstrap) {
        this.config = config;
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /** Stops the broker (its log stays on disk), as a restart of the broker process begins. */
    synchronized void pause() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** Starts the broker again on the same ports and log, after {@link #pause()}. */
    synchronized void resume() {
        server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        server.startup();
    }

    static KafkaServer start(Path dir) throws Exception {
        int brokerPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("logs").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "2");
        // records up to 8 MiB, as platforms carrying large events configure their brokers (the runtime refuses events
        // over erasure.intake.max-event-bytes, and must still be able to dead-letter them)
        p.put("message.max.bytes", Integer.toString(8 << 20));
        Path config = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, null);
        }
        // StorageTool.main would call System.exit
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()}, System.out);
        if (rc != 0) {
            throw new IllegalStateException("kafka storage format failed with " + rc);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
        return new KafkaServer(p, server, "127.0.0.1:" + brokerPort);
    }

    @Override
    public synchronized void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
