package org.erasurerouter.servers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A real Redis server from the binary embedded-redis ships, in a child process. */
final class RedisServer implements AutoCloseable, Restartable {
    private redis.embedded.RedisServer server;
    private long pid;
    final int port;

    private RedisServer(redis.embedded.RedisServer server, int port, long pid) {
        this.server = server;
        this.port = port;
        this.pid = pid;
    }

    static RedisServer start() throws Exception {
        int port = FreePorts.next();
        redis.embedded.RedisServer server = launch(port);
        long pid = processId(port);
        Reaper.watch(pid);
        return new RedisServer(server, port, pid);
    }

    private static redis.embedded.RedisServer launch(int port) throws Exception {
        redis.embedded.RedisServer server = redis.embedded.RedisServer.newRedisServer()
                .port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
        server.start();
        return server;
    }

    /** Stops the server, for an outage test; its data is gone (it keeps none on disk). */
    @Override
    public synchronized void pause() throws Exception {
        server.stop();
        Reaper.forget(pid);
    }

    /** Starts the server again on the same port after {@link #pause()}. */
    @Override
    public synchronized void resume() throws Exception {
        server = launch(port);
        pid = processId(port);
        Reaper.watch(pid);
    }

    /** The server's own PID from INFO, since embedded-redis does not expose its process. */
    private static long processId(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("INFO server\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("process_id:")) {
                    return Long.parseLong(line.substring("process_id:".length()).trim());
                }
            }
        }
        throw new IllegalStateException("redis INFO did not report process_id");
    }

    @Override
    public synchronized void close() throws Exception {
        server.stop();
        Reaper.forget(pid);
    }
}
