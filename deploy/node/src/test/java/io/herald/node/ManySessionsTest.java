package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node holds more than 1,024 WebSocket sessions at once, Pekko HTTP's default {@code max-connections}: that limit
 * counts a connection only until its WebSocket upgrade, so it must not cap sessions (this test also passes with it set
 * to 1,024). 1,500 sessions are opened and kept open, then each one answers a message, so all of them are live at the
 * same time. The message is a text message, which the session refuses at once (nack {@code INVALID}), so no Kafka or
 * entity work is in the way.
 */
@ExtendWith(InfraExtension.class)
class ManySessionsTest {

  private static final int SESSIONS = 1_500;
  // Handshakes under way at once: the accept queue is finite, and a dropped SYN costs a client a second.
  private static final int CONCURRENT_HANDSHAKES = 100;
  // Only catches a hang: a session the node does not take never completes its handshake.
  private static final Duration HANDSHAKE_BOUND = Duration.ofSeconds(30);

  @Test
  void aNodeHoldsMoreSessionsThanPekkoHttpsDefaultConnectionLimit(Kafka kafka, Cassandra cassandra) throws Exception {
    var config = TestNodes.withSchema(kafka, cassandra);
    var answers = new ConcurrentHashMap<Integer, ServerFrame>();
    var closedByNode = new AtomicInteger();
    // One client (one selector thread) for every session, on a pool of its own.
    ExecutorService clientThreads = Executors.newFixedThreadPool(2);
    var http = HttpClient.newBuilder().executor(clientThreads).build();
    var sockets = new ArrayList<WebSocket>();
    try (var node = HeraldNode.start(config)) {
      try {
        WalkingSkeletonTest.awaitReady(node);
        var uri = URI.create("ws://127.0.0.1:" + node.httpPort() + "/v1/ws");
        var handshakes = new Semaphore(CONCURRENT_HANDSHAKES);
        var connecting = new ArrayList<CompletableFuture<WebSocket>>();
        for (int i = 0; i < SESSIONS; i++) {
          String token = Tokens.mint(TestNodes.JWT_SECRET, "many-sessions-user-" + i, "device", Duration.ofMinutes(10));
          handshakes.acquire();
          connecting.add(http.newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .connectTimeout(HANDSHAKE_BOUND)
              .buildAsync(uri, new Answers(i, answers, closedByNode))
              .whenComplete((socket, failure) -> handshakes.release()));
        }
        for (CompletableFuture<WebSocket> connection : connecting) {
          sockets.add(connection.get(HANDSHAKE_BOUND.toSeconds() * 2, TimeUnit.SECONDS));
        }

        for (WebSocket socket : sockets) {
          socket.sendText("are you there?", true);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> answers.size() + closedByNode.get() >= SESSIONS);

        assertEquals(0, closedByNode.get(), "sessions closed by the node");
        assertEquals(SESSIONS, answers.size());
        answers.values().forEach(answer -> assertEquals(NackCode.INVALID, answer.getNack().getCode(), answer.toString()));
      } finally {
        // Before the node stops: it would otherwise wait out its termination deadline for each open connection.
        sockets.forEach(WebSocket::abort);
      }
    } finally {
      clientThreads.shutdownNow();
    }
  }

  /** Keeps the first frame a session receives; counts sessions the node closes. */
  private record Answers(int session, ConcurrentHashMap<Integer, ServerFrame> answers, AtomicInteger closedByNode)
      implements WebSocket.Listener {

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      // A nack is a few dozen bytes: it arrives whole.
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      try {
        answers.putIfAbsent(session, ServerFrame.parseFrom(bytes));
      } catch (IOException e) {
        throw new IllegalStateException("undecodable server frame", e);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closedByNode.incrementAndGet();
      return null;
    }
  }
}
