package io.herald.gateway.websocket;

import org.apache.pekko.util.ByteString;

/** One WebSocket message as the session sees it, once it has been read within the size limit. */
sealed interface InboundMessage {

  /** A binary message within the size limit: should be one ClientFrame. */
  record Binary(ByteString bytes) implements InboundMessage {}

  /** A binary message over the limit; only its first bytes were kept (to find its message id). */
  record Oversized(ByteString prefix, long size) implements InboundMessage {}

  /** A text message: not part of the protocol, its content was discarded. */
  record Text() implements InboundMessage {}

  /** No message came within the idle timeout: the session closes (the last thing its client sent). */
  record Idle() implements InboundMessage {}
}
