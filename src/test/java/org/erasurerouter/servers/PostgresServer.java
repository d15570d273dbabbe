package org.erasurerouter.servers;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real PostgreSQL 17 server from the binaries zonky publishes on Maven Central, in a child process. */
final class PostgresServer implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final long pid;

    private PostgresServer(EmbeddedPostgres postgres, long pid) {
        this.postgres = postgres;
        this.pid = pid;
    }

    static PostgresServer start(Path dir) throws Exception {
        Path data = dir.resolve("data");
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setOverrideWorkingDirectory(Files.createDirectories(dir.resolve("bin")).toFile())
                .start();
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        Reaper.watch(pid);
        return new PostgresServer(pg, pid);
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws Exception {
        postgres.close();
        Reaper.forget(pid);
    }
}
