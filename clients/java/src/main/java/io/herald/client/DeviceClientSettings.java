package io.herald.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link DeviceClient} connects and retries. Every loop in the client has a bound here.
 *
 * @param endpoints the WebSocket endpoints, e.g. {@code ws://127.0.0.1:8080/v1/ws}, one per Herald node; the client
 *     connects to the first and, whenever a connection is lost or cannot be opened, tries the next (round robin), so
 *     a device survives the death of the node it was connected to
 * @param token the device's JWT (sent as {@code Authorization: Bearer})
 * @param outboxDirectory where the durable outbox lives; one directory per device, never shared by two clients
 * @param outboxCapacity the most unacknowledged frames kept; {@code send} refuses beyond it
 * @param maxInFlight the most frames sent and not yet answered on the connection
 * @param ackTimeout how long to wait for an answer to a frame before sending it again
 * @param maxAttempts how many times a frame goes out before the client gives it up
 * @param resendBackoff the wait before a resend (after a timeout or {@code RETRY_LATER}, whose retry-after is a floor)
 * @param reconnectBackoff the wait before reconnecting after a lost or refused connection
 * @param maxReconnectAttempts consecutive failed connection attempts after which the client stops
 * @param connectTimeout the bound on opening the WebSocket and on the answer to {@code hello}
 * @param syncEachWrite flush the outbox to disk on every write (see {@link DurableOutbox#open})
 * @param pushAckEvery send a {@code push_ack} after this many new pushes, 0 never
 */
public record DeviceClientSettings(
    List<URI> endpoints,
    String token,
    Path outboxDirectory,
    int outboxCapacity,
    int maxInFlight,
    Duration ackTimeout,
    int maxAttempts,
    Backoff resendBackoff,
    Backoff reconnectBackoff,
    int maxReconnectAttempts,
    Duration connectTimeout,
    boolean syncEachWrite,
    int pushAckEvery) {

  public DeviceClientSettings {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint is needed");
    }
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(outboxDirectory, "outboxDirectory");
    Objects.requireNonNull(resendBackoff, "resendBackoff");
    Objects.requireNonNull(reconnectBackoff, "reconnectBackoff");
    if (outboxCapacity < 1 || maxInFlight < 1 || maxAttempts < 1 || maxReconnectAttempts < 1 || pushAckEvery < 0) {
      throw new IllegalArgumentException("outboxCapacity, maxInFlight, maxAttempts and maxReconnectAttempts must be >= 1");
    }
    if (ackTimeout.isNegative() || ackTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * Defaults for a device: 1000 frames in the outbox, 16 in flight, 10 s ack timeout, 10 attempts, reconnect with
   * backoff up to 30 times in a row, push_ack every 16 pushes.
   */
  public static DeviceClientSettings defaults(URI url, String token, Path outboxDirectory) {
    return defaults(List.of(url), token, outboxDirectory);
  }

  /** {@link #defaults(URI, String, Path)} with several endpoints to fail over between. */
  public static DeviceClientSettings defaults(List<URI> endpoints, String token, Path outboxDirectory) {
    return new DeviceClientSettings(
        endpoints,
        token,
        outboxDirectory,
        1000,
        16,
        Duration.ofSeconds(10),
        10,
        Backoff.defaults(),
        new Backoff(Duration.ofMillis(200), Duration.ofSeconds(15), 2.0, 0.3),
        30,
        Duration.ofSeconds(10),
        false,
        16);
  }

  public DeviceClientSettings withMaxInFlight(int value) {
    return new DeviceClientSettings(endpoints, token, outboxDirectory, outboxCapacity, value, ackTimeout, maxAttempts,
        resendBackoff, reconnectBackoff, maxReconnectAttempts, connectTimeout, syncEachWrite, pushAckEvery);
  }

  public DeviceClientSettings withOutboxCapacity(int value) {
    return new DeviceClientSettings(endpoints, token, outboxDirectory, value, maxInFlight, ackTimeout, maxAttempts,
        resendBackoff, reconnectBackoff, maxReconnectAttempts, connectTimeout, syncEachWrite, pushAckEvery);
  }

  public DeviceClientSettings withAckTimeout(Duration value) {
    return new DeviceClientSettings(endpoints, token, outboxDirectory, outboxCapacity, maxInFlight, value, maxAttempts,
        resendBackoff, reconnectBackoff, maxReconnectAttempts, connectTimeout, syncEachWrite, pushAckEvery);
  }

  public DeviceClientSettings withMaxAttempts(int value) {
    return new DeviceClientSettings(endpoints, token, outboxDirectory, outboxCapacity, maxInFlight, ackTimeout, value,
        resendBackoff, reconnectBackoff, maxReconnectAttempts, connectTimeout, syncEachWrite, pushAckEvery);
  }

  public DeviceClientSettings withResendBackoff(Backoff value) {
    return new DeviceClientSettings(endpoints, token, outboxDirectory, outboxCapacity, maxInFlight, ackTimeout, maxAttempts,
        value, reconnectBackoff, maxReconnectAttempts, connectTimeout, syncEachWrite, pushAckEvery);
  }

  public DeviceClientSettings withReconnect(Backoff backoff, int maxAttempts) {
    return new DeviceClientSettings(endpoints, token, outboxDirectory, outboxCapacity, maxInFlight, ackTimeout,
        this.maxAttempts, resendBackoff, backoff, maxAttempts, connectTimeout, syncEachWrite, pushAckEvery);
  }
}
