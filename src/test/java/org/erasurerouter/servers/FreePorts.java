package org.erasurerouter.servers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers and runtimes of a test run, chosen below the kernel's ephemeral range. A port the kernel
 * hands out for {@code bind(0)} comes from that range, which outgoing connections use too: between choosing it and a
 * server binding it (Neo4j binds Bolt ~20 s after it starts, while the other servers connect to each other), a
 * connection could take it as its local port, and the server failed to start with "Address already in use".
 */
public final class FreePorts {
    private static final int FIRST = 10_000;
    /** The first port of the ephemeral range, read once. */
    private static final int END = ephemeralStart();
    /** Ports handed out by this JVM: two servers never get the same one, even before either has bound it. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port no process listens on, outside the range of outgoing connections' local ports. */
    public static int next() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, END);
            if (!GIVEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException inUse) {
                // another process listens there: try another
            }
        }
        throw new IllegalStateException("no free port from " + FIRST + " to " + END);
    }

    /**
     * The first port of Linux's ephemeral range (32768 by default; the IANA range's 49152 elsewhere). Read by lines:
     * a /proc file reports no size, and {@code Files.readString} answered only its first character.
     */
    private static int ephemeralStart() {
        try {
            int start = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
            return start > FIRST + 1_000 ? start : 49_152;
        } catch (IOException | RuntimeException e) {
            return 49_152;
        }
    }
}
