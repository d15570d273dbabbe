package org.erasurerouter.servers;

import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/** A real Neo4j 5.26 server in this JVM, serving Bolt only. */
final class Neo4jServer implements AutoCloseable {
    private final Neo4j neo4j;

    private Neo4jServer(Neo4j neo4j) {
        this.neo4j = neo4j;
    }

    static Neo4jServer start(Path dir) {
        return new Neo4jServer(Neo4jBuilders.newInProcessBuilder(dir)
                .withDisabledServer()
                .withConfig(GraphDatabaseSettings.pagecache_memory, 32L << 20)
                // stop in ~1.5 s instead of ~10 s
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(1))
                .build());
    }

    String boltUrl() {
        return neo4j.boltURI().toString();
    }

    @Override
    public void close() {
        neo4j.close();
    }
}
