package io.herald.infra;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Readiness checks that speak just enough of each wire protocol to know the server really serves requests: a port
 * that accepts connections is not enough (Kafka binds its listener before it is ready; Docker's port proxy accepts
 * connections for a container that is still starting).
 */
public final class WireProbes {

    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final int READ_TIMEOUT_MILLIS = 3_000;

    private WireProbes() {
    }

    /** Whether a Kafka broker at host:port answers an ApiVersions request (v0) without error. */
    public static boolean kafkaAnswers(String host, int port) {
        byte[] clientId = "herald-infra-probe".getBytes(StandardCharsets.UTF_8);
        int correlationId = 0x4E5A;
        try (Socket socket = connect(host, port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18); // ApiVersions
            out.writeShort(0);  // version 0: header v1, empty body, answered by every broker version
            out.writeInt(correlationId);
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            return size >= 6 && in.readInt() == correlationId && in.readShort() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a Cassandra node at host:port answers a CQL OPTIONS request (native protocol v4) with SUPPORTED. */
    public static boolean cassandraAnswers(String host, int port) {
        try (Socket socket = connect(host, port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeByte(0x04);  // request, protocol v4
            out.writeByte(0);     // flags
            out.writeShort(1);    // stream id
            out.writeByte(0x05);  // OPTIONS
            out.writeInt(0);      // empty body
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte version = in.readByte();
            in.readByte();
            in.readShort();
            byte opcode = in.readByte();
            return (version & 0x80) != 0 && opcode == 0x06; // response, SUPPORTED
        } catch (IOException e) {
            return false;
        }
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
