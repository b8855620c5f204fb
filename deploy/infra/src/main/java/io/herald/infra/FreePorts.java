package io.herald.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free TCP ports on 127.0.0.1, the only interface herald-infra listens on. */
public final class FreePorts {

    // Ports handed out by this JVM: the OS may offer a just-closed port again before its first user has bound it.
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before. */
    public static int pick() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on 127.0.0.1", e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no fresh free port on 127.0.0.1 after 50 attempts");
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
