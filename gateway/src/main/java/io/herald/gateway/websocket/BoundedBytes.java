package io.herald.gateway.websocket;

import org.apache.pekko.util.ByteString;

/**
 * The bytes of one incoming message, collected chunk by chunk without ever holding more than {@code limit + 1} of
 * them: past the limit only the total is counted, so an oversized message costs no memory however large it is, and
 * the connection can answer {@code TOO_LARGE} and go on.
 *
 * @param kept the first bytes, at most {@code limit + 1}
 * @param total how many bytes the message had so far
 * @param limit largest acceptable message
 */
record BoundedBytes(ByteString kept, long total, int limit) {

  static BoundedBytes empty(int limit) {
    return new BoundedBytes(ByteString.emptyByteString(), 0, limit);
  }

  BoundedBytes append(ByteString chunk) {
    int room = limit + 1 - kept.size();
    ByteString keptNow = room <= 0 ? kept : kept.concat(chunk.take(room));
    return new BoundedBytes(keptNow, total + chunk.size(), limit);
  }

  boolean exceedsLimit() {
    return total > limit;
  }
}
