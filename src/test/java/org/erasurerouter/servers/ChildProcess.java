package org.erasurerouter.servers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A server running in a child process: started with its output in a log file, watched by the {@link Reaper}. */
final class ChildProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;

    private ChildProcess(String name, List<String> command, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ChildProcess child = new ChildProcess(name, command, log);
        child.launch();
        return child;
    }

    /** Starts the same command again after {@link #close()}, its output appended to the same log. */
    synchronized void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Reaper.watch(process.pid());
    }

    /** Waits until {@code ready} holds, failing early with the server's log when the process dies. */
    ChildProcess awaitReady(Duration timeout, BooleanSupplier ready) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(name + " not ready within " + timeout + "; log " + log + ":\n" + tail());
            }
            Thread.sleep(100);
        }
        return this;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    @Override
    public synchronized void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Reaper.forget(process.pid());
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /**
     * A server JVM's maximum heap, collector and compiler flags. Tests run the servers C1-only on small heaps: they
     * start in seconds and carry little load. With {@code -Dservers.as-in-production=true} (the benchmark) they run as
     * production runs them, with both compiler tiers and {@code productionHeap}.
     */
    static List<String> jvmFlags(String testHeap, String productionHeap) {
        if (Boolean.getBoolean("servers.as-in-production")) {
            return List.of("-Xmx" + productionHeap, "-XX:+UseSerialGC");
        }
        return List.of("-Xmx" + testHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    static String javaOf(String javaHome) {
        return Path.of(javaHome, "bin", "java").toString();
    }
}
