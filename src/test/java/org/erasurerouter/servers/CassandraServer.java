package org.erasurerouter.servers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Apache Cassandra 5.0 node (cassandra-all from Maven Central) in a child JVM on JDK 17. Never in the test
 * JVM: Cassandra installs a SecurityManager and calls System.exit.
 */
final class CassandraServer implements AutoCloseable, Restartable {
    /** The module flags of Cassandra's own jvm17-server.options. */
    private static final List<String> JDK17_FLAGS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED");

    private final ChildProcess process;
    final int port;

    private CassandraServer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static CassandraServer start(Path serversDir, Path dir) throws Exception {
        Files.createDirectories(dir);
        int storagePort = FreePorts.next();
        int nativePort = FreePorts.next();
        String d = dir.toAbsolutePath().toString();
        Files.writeString(dir.resolve("cassandra.yaml"), String.join("\n",
                "cluster_name: erasure-it",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "commitlog_directory: " + d + "/commitlog",
                "data_file_directories: [" + d + "/data]",
                "saved_caches_directory: " + d + "/saved_caches",
                "hints_directory: " + d + "/hints",
                "cdc_raw_directory: " + d + "/cdc_raw",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"127.0.0.1:" + storagePort + "\"",
                "listen_address: 127.0.0.1",
                "rpc_address: 127.0.0.1",
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "endpoint_snitch: SimpleSnitch",
                "auto_snapshot: false",
                // Paxos v2 (Cassandra 4.1+): a lightweight transaction in two round trips instead of four (the runtime
                // writes none since its hierarchies are rewritten under ledger locks; kept for earlier versions' comparison)
                "paxos_variant: v2",
                "storage_compatibility_mode: NONE", ""));
        Files.writeString(dir.resolve("logback.xml"),
                "<configuration><appender name='F' class='ch.qos.logback.core.FileAppender'><file>" + d + "/cassandra.log</file>"
                        + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder></appender>"
                        + "<root level='INFO'><appender-ref ref='F'/></root></configuration>");
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildProcess.javaOf(jdk17()));
        // -Xms small: as root, JNA mlockall pins the whole initial heap
        cmd.add("-Xms64m");
        cmd.addAll(ChildProcess.jvmFlags("512m", "2g"));
        cmd.addAll(List.of("-Xss256k", "-Djava.net.preferIPv4Stack=true", "-Dio.netty.tryReflectionSetAccessible=true"));
        cmd.addAll(JDK17_FLAGS);
        cmd.addAll(List.of(
                "-Dcassandra.config=" + dir.resolve("cassandra.yaml").toUri(),
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.storagedir=" + d,
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=0",
                "-Dcassandra.superuser_setup_delay_ms=0",
                // the switches Cassandra's own test suite uses: no fsync, no system-table flushes
                "-Dcassandra.unsafesystem=true",
                "-Dcassandra.skip_sync=true",
                "-Dcassandra.test.flush_local_schema_changes=false",
                "-cp", Files.readString(serversDir.resolve("cassandra.classpath")).trim(),
                "org.apache.cassandra.service.CassandraDaemon"));
        ChildProcess p = ChildProcess.start("cassandra", cmd, dir.resolve("stdout.log"));
        // the native transport is the last thing Cassandra opens
        p.awaitReady(Duration.ofMinutes(3), () -> ChildProcess.accepts(nativePort));
        return new CassandraServer(p, nativePort);
    }

    /** Cassandra 5.0 runs on JDK 11 or 17 only. */
    private static String jdk17() {
        String configured = System.getProperty("cassandra.java.home");
        if (configured != null) {
            return configured;
        }
        if (Runtime.version().feature() == 17) {
            return System.getProperty("java.home");
        }
        for (String candidate : List.of("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/temurin-17-jdk-amd64")) {
            if (Files.isExecutable(Path.of(candidate, "bin", "java"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cassandra 5.0 needs a JDK 17; set -Dcassandra.java.home");
    }

    /** Stops the node (SIGTERM: Cassandra drains and exits), for an outage test; its data stays on disk. */
    @Override
    public void pause() throws InterruptedException {
        process.close();
    }

    /** Starts the node again on its data and ports after {@link #pause()}. */
    @Override
    public void resume() throws Exception {
        process.restart();
        process.awaitReady(Duration.ofMinutes(3), () -> ChildProcess.accepts(port));
    }

    @Override
    public void close() throws Exception {
        process.close();
    }
}
