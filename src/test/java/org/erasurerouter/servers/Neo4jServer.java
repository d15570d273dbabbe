package org.erasurerouter.servers;

import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * A real Neo4j 5.26 server in this JVM, serving Bolt only, on a fixed home and port so that it can be stopped and
 * started again on its data (the test harness cannot: it deletes its directory when closed).
 */
final class Neo4jServer implements AutoCloseable, Restartable {
    private final Path home;
    private final int port;
    private DatabaseManagementService dbms;

    private Neo4jServer(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    static Neo4jServer start(Path home) {
        Neo4jServer server = new Neo4jServer(home, FreePorts.next());
        server.resume();
        return server;
    }

    String boltUrl() {
        return "bolt://127.0.0.1:" + port;
    }

    /** Stops the server (Bolt closed, database shut down), for an outage test; its data stays on disk. */
    @Override
    public synchronized void pause() {
        dbms.shutdown();
        dbms = null;
    }

    /** Starts the server on its home and port: at first, and again after {@link #pause()}. */
    @Override
    public synchronized void resume() {
        dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 32L << 20)
                // stop in ~1.5 s instead of ~10 s
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(1))
                .build();
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);   // fails here if the database did not start
    }

    @Override
    public synchronized void close() {
        if (dbms != null) {
            pause();
        }
    }
}
