package io.herald.node.warmup;

import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One warm-up device's WebSocket session to its own node: sends frames one after the other (the JDK client takes one
 * send at a time), times each answer into the shared {@link WarmUpTally}, and acknowledges every push so the warm-up
 * user's outbox stays empty from one start to the next.
 */
final class WarmUpSession implements WebSocket.Listener {

  private final String userId;
  private final String deviceId;
  private final WarmUpTally tally;
  private final ConcurrentHashMap<String, Long> unanswered = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicLong ackedPushSeq = new AtomicLong();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private CompletableFuture<WebSocket> sending;
  private final ConcurrentHashMap<String, String> lastChatMessageSeen = new ConcurrentHashMap<>();
  // Bounded by the warm-up's own frames (its duration times its rate).
  private final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();

  WarmUpSession(String userId, String deviceId, WarmUpTally tally) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.tally = tally;
  }

  String userId() {
    return userId;
  }

  String deviceId() {
    return deviceId;
  }

  void opened(WebSocket webSocket) {
    synchronized (this) {
      sending = CompletableFuture.completedFuture(webSocket);
    }
  }

  CompletionStage<Void> welcomed() {
    return welcomed;
  }

  boolean isClosed() {
    return closed.isDone();
  }

  int unansweredCount() {
    return unanswered.size();
  }

  /** Whether the node refused this session's frame (RETRY_LATER under load: a refused chat message has no push). */
  boolean refused(String messageId) {
    return refused.contains(messageId);
  }

  /** Whether this session received the push of that chat message (the last one it received in its conversation). */
  boolean sawChatMessage(String conversationId, String messageId) {
    return messageId.equals(lastChatMessageSeen.get(conversationId));
  }

  /** Sends a frame, timing its ack or nack; hello (answered by a welcome) and push_ack (by nothing) go untimed. */
  void send(ClientFrame frame) {
    if (!frame.hasPushAck() && !frame.hasHello()) {
      unanswered.put(frame.getMessageId(), System.nanoTime());
      tally.sent();
    }
    byte[] bytes = frame.toByteArray();
    synchronized (this) {
      sending = sending.thenCompose(webSocket -> webSocket.sendBinary(ByteBuffer.wrap(bytes), true));
    }
  }

  void close() {
    synchronized (this) {
      sending = sending.thenCompose(webSocket -> webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "warm-up done"));
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    partial.write(chunk, 0, chunk.length);
    if (last) {
      byte[] message = partial.toByteArray();
      partial.reset();
      try {
        answer(ServerFrame.parseFrom(message));
      } catch (InvalidProtocolBufferException e) {
        tally.failed("a server frame that does not decode: " + e.getMessage());
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    tally.failed("session of " + deviceId + " failed: " + error);
    closed.complete(null);
    welcomed.completeExceptionally(error);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(null);
    welcomed.completeExceptionally(new IllegalStateException("closed by the node: " + statusCode + " " + reason));
    return null;
  }

  private void answer(ServerFrame frame) {
    switch (frame.getBodyCase()) {
      case WELCOME -> welcomed.complete(null);
      case ACK -> {
        Long sentAt = unanswered.remove(frame.getAck().getMessageId());
        if (sentAt != null) {
          tally.acked(System.nanoTime() - sentAt);
        }
      }
      case NACK -> {
        if (unanswered.remove(frame.getNack().getMessageId()) != null) {
          refused.add(frame.getNack().getMessageId());
          tally.refused(frame.getNack().getCode());
        }
      }
      case PUSH -> pushed(frame.getPush());
      default -> tally.failed("an empty server frame");
    }
  }

  private void pushed(Push push) {
    tally.pushed(push.hasChatMessage());
    // Refused by its entity after the ack. On every start but the first, the conversations exist already.
    if (push.hasRejected() && push.getRejected().getCode() != NackCode.ALREADY_EXISTS) {
      tally.rejected(push.getRejected());
    }
    if (push.hasChatMessage()) {
      // Bounded: one entry per conversation of the warm-up user (two).
      lastChatMessageSeen.put(push.getChatMessage().getConversationId(), push.getChatMessage().getMessageId());
    }
    if (ackedPushSeq.getAndAccumulate(push.getSeq(), Math::max) < push.getSeq()) {
      send(ClientFrame.newBuilder().setMessageId(tally.nextMessageId())
          .setPushAck(PushAck.newBuilder().setUpToSeq(push.getSeq())).build());
    }
  }
}
