package io.herald.load.check;

import java.util.List;

/**
 * The pushes one client received, across its sessions.
 *
 * @param resumedFrom the {@code last_seq} of the client's first hello (0 for a new user): pushes after it are expected
 * @param receivedSeqs the push sequence numbers in the order they arrived
 */
public record PushStream(long resumedFrom, List<Long> receivedSeqs) {

  public PushStream {
    receivedSeqs = List.copyOf(receivedSeqs);
  }
}
