package org.erasurerouter.servers;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;

/**
 * A real single-node Elasticsearch 9.2 in a child JVM on a JDK 21+, from the server jars Maven copies into
 * {@code target/servers/es-home}. Only core and transport-netty4 are published: no painless, no _update_by_query.
 */
final class ElasticsearchServer implements AutoCloseable, Restartable {
    private final ChildProcess process;
    final int port;

    private ElasticsearchServer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    static ElasticsearchServer start(Path home, Path dir) throws Exception {
        prepareHome(home);
        Files.createDirectories(dir);
        // a fixed HTTP port, so that a restarted node is found where the runtime looks for it
        int port = FreePorts.next();
        Path launcher = Path.of(EsNodeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(findJava().toString(), "-Xms256m"));
        command.addAll(ChildProcess.jvmFlags("256m", "1g"));
        command.addAll(List.of("-Djava.io.tmpdir=" + dir, "-Dlog4j2.disable.jmx=true",
                "--enable-native-access=org.elasticsearch.nativeaccess,org.apache.lucene.core",
                "--module-path", home.resolve("lib").toString(), "--add-modules", "ALL-MODULE-PATH",
                "-cp", launcher.toString(), EsNodeMain.class.getName(), home.toString(), dir.toString(), Integer.toString(port)));
        ChildProcess p = ChildProcess.start("elasticsearch", command, dir.resolve("es-node.log"));
        ElasticsearchServer server = new ElasticsearchServer(p, port);
        server.awaitReady();
        return server;
    }

    /** Until the node answers HTTP and has recovered its indices (yellow: single node, replicas unassigned). */
    private void awaitReady() throws Exception {
        process.awaitReady(Duration.ofMinutes(2), () -> ChildProcess.accepts(port));
        HttpResponse<Void> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=60s")).build(), HttpResponse.BodyHandlers.discarding());
        if (health.statusCode() != 200) {
            throw new IllegalStateException("elasticsearch not yellow within 60 s: HTTP " + health.statusCode());
        }
    }

    /** Stops the node (SIGTERM: it closes cleanly), for an outage test; its indices stay on disk. */
    @Override
    public void pause() throws InterruptedException {
        process.close();
    }

    /** Starts the node again on its data and port after {@link #pause()}. */
    @Override
    public void resume() throws Exception {
        process.restart();
        awaitReady();
    }

    /** ES 9 needs a JDK 21+: -Des.java.home, ES_JAVA_HOME, this JVM if new enough, or the usual install paths. */
    static Path findJava() {
        List<String> candidates = new ArrayList<>();
        for (String configured : new String[] {System.getProperty("es.java.home"), System.getenv("ES_JAVA_HOME")}) {
            if (configured != null && !configured.isBlank()) {
                candidates.add(configured);
            }
        }
        if (Runtime.version().feature() >= 21) {
            candidates.add(System.getProperty("java.home"));
        }
        candidates.addAll(List.of("/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/temurin-21-jdk-amd64",
                "/usr/lib/jvm/java-25-openjdk-amd64", "/usr/lib/jvm/java-21-openjdk-amd64"));
        for (String c : candidates) {
            Path java = Path.of(c, "bin", "java");
            if (Files.isExecutable(java)) {
                return java;
            }
        }
        throw new IllegalStateException("Elasticsearch 9 needs a JDK 21+; set ES_JAVA_HOME or -Des.java.home. Tried " + candidates);
    }

    /** Adds netty4's plugin descriptor and a GET / shim (client.info(), ping) to the home Maven prepared. */
    private static synchronized void prepareHome(Path home) throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("plugins"));
        Path netty = home.resolve("modules/transport-netty4");
        Path descriptor = netty.resolve("plugin-descriptor.properties");
        if (!Files.exists(descriptor)) {
            Path jar;
            try (var files = Files.list(netty)) {
                jar = files.filter(f -> f.getFileName().toString().startsWith("transport-netty4-")).findFirst().orElseThrow();
            }
            try (ZipFile z = new ZipFile(jar.toFile());
                 InputStream in = z.getInputStream(z.getEntry("META-INF/es-plugins/transport-netty4/plugin-descriptor.properties"))) {
                Files.copy(in, descriptor);
            }
        }
        installRootShim(home);
    }

    /** GET / and HEAD / live in the unpublished rest-root module; compile a tiny stand-in with the ES JDK's javac. */
    private static void installRootShim(Path home) throws Exception {
        Path module = home.resolve("modules/root-info-shim");
        if (Files.exists(module.resolve("plugin-descriptor.properties"))) {
            return;
        }
        Path work = Files.createDirectories(home.resolve("shim-build"));
        Path src = Files.createDirectories(work.resolve("src/shim")).resolve("RootInfoShimPlugin.java");
        try (InputStream in = ElasticsearchServer.class.getResourceAsStream("/es-shim/RootInfoShimPlugin.java.txt")) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path jdkBin = findJava().getParent();
        run(jdkBin.resolve("javac").toString(), "--release", "21", "-nowarn", "-cp", home.resolve("lib") + "/*",
                "-d", work.resolve("classes").toString(), src.toString());
        Files.createDirectories(module);
        run(jdkBin.resolve("jar").toString(), "cf", module.resolve("root-info-shim.jar").toString(), "-C", work.resolve("classes").toString(), ".");
        String version;
        try (var files = Files.list(home.resolve("lib"))) {
            String jar = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("elasticsearch-\\d.*\\.jar")).findFirst().orElseThrow();
            version = jar.substring("elasticsearch-".length(), jar.length() - ".jar".length());
        }
        Files.writeString(module.resolve("plugin-descriptor.properties"), "description=GET / shim\nversion=1.0\nname=root-info-shim\n"
                + "classname=shim.RootInfoShimPlugin\njava.version=21\nelasticsearch.version=" + version + "\n");
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    @Override
    public void close() throws Exception {
        process.close();
    }
}
