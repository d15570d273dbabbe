package org.erasurerouter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.erasurerouter.servers.FreePorts;
import org.erasurerouter.servers.RealServers;

/** The runtime exactly as production starts it (routes/, application.properties), pointed at the real servers. */
public final class RunningRouter implements AutoCloseable {
    private final Main main;
    private final ProducerTemplate template;

    private RunningRouter(Main main) {
        this.main = main;
        this.template = main.getCamelContext().createProducerTemplate();
    }

    /** Starts a runtime; {@code overrides} win over the real servers' settings, which win over application.properties. */
    public static RunningRouter start(Map<String, String> overrides) {
        Main main = ErasureRouter.newMain();
        Properties p = RealServers.get().runtimeProperties();
        p.put("camel.management.port", Integer.toString(FreePorts.next()));
        p.put("camel.server.port", Integer.toString(FreePorts.next()));
        p.putAll(overrides);
        separateQueues(p);
        main.setOverrideProperties(p);
        try {
            main.start();
        } catch (Exception e) {
            try {
                main.stop();
            } catch (Exception ignored) {
                // the start-up failure is what the caller needs to see
            }
            throw new IllegalStateException("runtime did not start", e);
        }
        return new RunningRouter(main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** The runtime's HTTP API (ledger and replays). */
    public ErasureApi api() {
        return new ErasureApi(Integer.parseInt(context().getPropertiesComponent().resolveProperty("camel.server.port").orElseThrow()));
    }

    public ProducerTemplate template() {
        return template;
    }

    @Override
    public void close() throws Exception {
        template.close();
        main.stop();
    }

    /**
     * The production entry point in a JVM of its own, so that it can be killed with SIGKILL; its output goes to
     * {@code target/child-runtimes/<name>.log}. Settings win over the real servers'; {@code jvm.heap} sets -Xmx.
     */
    public static Process startChild(Map<String, String> settings, String name) throws java.io.IOException {
        Properties p = RealServers.get().runtimeProperties();
        p.put("camel.management.port", Integer.toString(FreePorts.next()));
        p.put("camel.server.port", Integer.toString(FreePorts.next()));
        p.putAll(settings);
        separateQueues(p);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                settings.getOrDefault("jvm.heap", "-Xmx512m")));
        p.stringPropertyNames().forEach(key -> command.add("-D" + key + "=" + p.getProperty(key)));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ErasureRouter.class.getName()));
        Path log = Files.createDirectories(Path.of("target", "child-runtimes")).resolve(name + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Runtimes of one consumer group share their batch queues, as the instances of one deployment do; the test run's
     * other runtimes, with other settings (field rules, stores), keep theirs apart, so none carries out another's
     * deletions with its own rules.
     */
    private static void separateQueues(Properties p) {
        String group = p.getProperty("erasure.kafka.group-id", "erasure-router");
        String suffix = Integer.toUnsignedString(group.hashCode(), 36);
        p.putIfAbsent("erasure.content.queue-table", "content_queue_" + suffix);
        p.putIfAbsent("erasure.jdbc.queue-table", "sql_queue_" + suffix);
        p.putIfAbsent("erasure.replay.queue-table", "replay_queue_" + suffix);
    }

    /** Closes what a test class opened, in this order, skipping what was never opened. */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }
}
