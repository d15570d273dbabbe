package org.erasurerouter.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void handsOutDistinctPortsBelowTheEphemeralRangeThatAServerCanBind() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralStart = Files.exists(range) ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]) : 49_152;
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertTrue(port >= 10_000 && port < ephemeralStart, port + " is outside 10000.." + ephemeralStart);
            ports.add(port);
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(port));
            }
        }
        assertEquals(50, ports.size(), "no port handed out twice");
    }
}
