package org.erasurerouter.servers;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real S3-compatible HTTP server (Adobe S3Mock 4.12) in a child JVM. */
final class S3Server implements AutoCloseable {
    private final ChildProcess process;
    final String endpoint;

    private S3Server(ChildProcess process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static S3Server start(Path serversDir, Path dir) throws Exception {
        int port = FreePorts.next();
        Path root = Files.createDirectories(dir.resolve("store"));
        ChildProcess p = ChildProcess.start("s3mock", List.of(ChildProcess.javaOf(System.getProperty("java.home")),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + dir,
                "-jar", serversDir.resolve("s3mock-exec.jar").toString(),
                "--com.adobe.testing.s3mock.httpPort=" + port, "--server.port=0",
                "--com.adobe.testing.s3mock.store.root=" + root, "--logging.level.root=WARN"), dir.resolve("s3mock.log"));
        String endpoint = "http://127.0.0.1:" + port;
        p.awaitReady(Duration.ofSeconds(90), () -> answers(endpoint));
        return new S3Server(p, endpoint);
    }

    private static boolean answers(String endpoint) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
            c.setConnectTimeout(500);
            return c.getResponseCode() > 0;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        process.close();
    }
}
