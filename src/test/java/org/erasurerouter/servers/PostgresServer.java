package org.erasurerouter.servers;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A real PostgreSQL 17 server from the binaries zonky publishes on Maven Central, in a child process. */
final class PostgresServer implements AutoCloseable, Restartable {
    private final EmbeddedPostgres postgres;
    private final Path dir;
    private long pid;

    private PostgresServer(EmbeddedPostgres postgres, Path dir) throws Exception {
        this.postgres = postgres;
        this.dir = dir;
        this.pid = postmasterPid();
        Reaper.watch(pid);
    }

    static PostgresServer start(Path dir) throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setOverrideWorkingDirectory(Files.createDirectories(dir.resolve("bin")).toFile())
                .start();
        return new PostgresServer(pg, dir);
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    int port() {
        return postgres.getPort();
    }

    /** Stops the server (fast shutdown: sessions are ended), for an outage test; its data stays on disk. */
    @Override
    public synchronized void pause() throws Exception {
        pgCtl("stop", "-m", "fast");
        Reaper.forget(pid);
    }

    /** Starts the server again on its data with the options zonky first started it with (postmaster.opts). */
    @Override
    public synchronized void resume() throws Exception {
        String opts = Files.readString(dir.resolve("data/postmaster.opts")).trim();
        pgCtl("start", "-l", dir.resolve("restart.log").toString(), "-o", opts.substring(opts.indexOf(' ') + 1));
        pid = postmasterPid();
        Reaper.watch(pid);
    }

    private void pgCtl(String... args) throws Exception {
        Path pgCtl;
        try (Stream<Path> files = Files.walk(dir.resolve("bin"))) {
            pgCtl = files.filter(f -> f.endsWith("bin/pg_ctl")).findFirst().orElseThrow();
        }
        // as zonky does: in a user namespace, where root is not root, since pg_ctl refuses to run as root
        List<String> cmd = new ArrayList<>(List.of("unshare", "-U", pgCtl.toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_ctl " + args[0] + " failed:\n" + out);
        }
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
    }

    @Override
    public void close() throws Exception {
        postgres.close();
        Reaper.forget(pid);
    }
}
