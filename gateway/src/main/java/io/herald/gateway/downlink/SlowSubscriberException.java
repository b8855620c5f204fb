package io.herald.gateway.downlink;

/**
 * A session's client did not read its pushes fast enough and the session's bounded push buffer overflowed. The
 * session is closed; the client reconnects and resumes with {@code hello.last_seq}.
 */
public final class SlowSubscriberException extends RuntimeException {

  public SlowSubscriberException(int bufferSize) {
    super(
        "slow subscriber: more than "
            + bufferSize
            + " pushes were waiting for this session; it is closed, reconnect and resume with hello.last_seq");
  }
}
