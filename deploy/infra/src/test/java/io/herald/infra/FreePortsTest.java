package io.herald.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void picksAreBelowTheEphemeralRangeDistinctAndBindable() throws IOException {
        int ephemeralLow = FreePorts.ephemeralLow();
        var picked = new HashSet<Integer>();
        for (int i = 0; i < 100; i++) {
            int port = FreePorts.pick();
            assertTrue(port >= FreePorts.LOWEST && port < ephemeralLow, port + " outside [" + FreePorts.LOWEST + ", "
                    + ephemeralLow + ")");
            picked.add(port);
        }
        assertEquals(100, picked.size(), "no port handed out twice");
        try (var socket = new ServerSocket(picked.iterator().next(), 1, InetAddress.getLoopbackAddress())) {
            assertTrue(socket.isBound());
        }
    }

    @Test
    void theEphemeralRangeIsTheOnesLinuxHandsOut() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        Assumptions.assumeTrue(Files.exists(range), "not Linux: the fallback applies");
        try (var in = Files.newInputStream(range)) {
            String first = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
            assertEquals(Integer.parseInt(first), FreePorts.ephemeralLow());
        }
    }

    @Test
    void aPortTakenByAnotherProcessIsNotFree() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFalse(FreePorts.isFree(socket.getLocalPort()));
        }
    }
}
