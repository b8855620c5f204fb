package io.herald.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on 127.0.0.1, the only interface herald-infra listens on.
 *
 * <p>Picked below the OS's ephemeral range (Linux: {@code /proc/sys/net/ipv4/ip_local_port_range}), never from it: a
 * process stopped for a while (a test's Cassandra outage, a chaos kill) starts again on its recorded port, and in the
 * ephemeral range any other process's outgoing connection or {@code bind(0)} may have taken that port meanwhile — the
 * restarted instance would move, and its clients would keep talking to a stranger. Two test JVMs of a parallel build
 * ({@code mvn -T 2}) did exactly that.
 */
public final class FreePorts {

    /** The lowest port picked: above the registered ports most services on a developer's machine use. */
    static final int LOWEST = 10_000;

    /** IANA's first dynamic port: the ephemeral range's start where the OS does not say (not Linux). */
    private static final int IANA_DYNAMIC_LOW = 49_152;

    // Ports handed out by this JVM: another launcher of the same JVM may not have bound its port yet.
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int EPHEMERAL_LOW = ephemeralLow();

    private FreePorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago, below the ephemeral range, not handed out by this JVM before. */
    public static int pick() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_LOW);
            if (isFree(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 in [" + LOWEST + ", " + EPHEMERAL_LOW + ")");
    }

    /** The first port of the OS's ephemeral range, else {@link #IANA_DYNAMIC_LOW}. */
    static int ephemeralLow() {
        try {
            // Not Files.readString: it trusts the size /proc reports and read "3" of "32768 60999" here.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1_000 ? low : IANA_DYNAMIC_LOW;
        } catch (IOException | RuntimeException e) {
            return IANA_DYNAMIC_LOW;
        }
    }

    /**
     * The port a launcher listens on: {@code requested} unless 0, else {@code recorded} (from an earlier start with
     * the same data directory, may be null) while it is free, else a fresh free port.
     */
    public static int choose(int requested, String recorded) {
        if (requested != 0) {
            return requested;
        }
        if (recorded != null && isFree(Integer.parseInt(recorded))) {
            return Integer.parseInt(recorded);
        }
        return pick();
    }

    /** Whether nothing listens on {@code port} of 127.0.0.1 right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
