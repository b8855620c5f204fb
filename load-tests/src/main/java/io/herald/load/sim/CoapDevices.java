package io.herald.load.sim;

import io.herald.load.report.RunMetrics;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * Any number of simulated devices over CoAP with memory bounded by the requests in flight, not by the devices: a
 * device is its index; its ids and its token are made from the index when it sends (CoAP has no connection, and
 * Herald authenticates each POST by its {@code access_token}), and nothing is kept once its frame is answered. There
 * is no outbox and no resend: a frame is acked, nacked, or failed (no answer within the bound), and counted.
 *
 * <p>Requests go out over a pool of UDP endpoints, because a CoAP message id is 16 bits and neither side may reuse
 * one towards the same peer within the exchange lifetime (247 s): one endpoint carries at most about 65,536 / 247 ≈
 * 265 confirmable requests per second, and so does each of Herald's separate responses back to it.
 */
public final class CoapDevices implements AutoCloseable {

  /** Requests per second one endpoint is given, below the ≈ 265 its message ids allow. */
  static final int REQUESTS_PER_ENDPOINT_PER_S = 200;
  private static final Duration ANSWER_BOUND = Duration.ofSeconds(30);

  private final String secret;
  private final String prefix;
  private final URI messages;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final RunMetrics metrics;
  private final ScheduledExecutorService timer;
  private final List<CoapEndpoint> endpoints = new ArrayList<>();
  private final List<CoapClient> clients = new ArrayList<>();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private long next;

  /**
   * @param prefix makes this set's device ids distinct from every other's ({@code prefix + "u" + i}, {@code + "d" + i})
   * @param ratePerSecond the rate the pool of endpoints is sized for
   */
  public CoapDevices(URI coap, String secret, String prefix, double ratePerSecond, int maxInFlight, RunMetrics metrics,
      ScheduledExecutorService timer) throws IOException {
    this.secret = secret;
    this.prefix = prefix;
    this.messages = coap.resolve("/v1/messages");
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.metrics = metrics;
    this.timer = timer;
    CoapConfig.register();
    UdpConfig.register();
    for (int i = 0; i < endpointsFor(ratePerSecond); i++) {
      var endpoint = CoapEndpoint.builder().setConfiguration(Configuration.createStandardWithoutFile())
          .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
      endpoint.start();
      endpoints.add(endpoint);
      var client = new CoapClient();
      client.setEndpoint(endpoint);
      clients.add(client);
    }
  }

  /** UDP endpoints needed for a rate: one per {@link #REQUESTS_PER_ENDPOINT_PER_S}, at least one. */
  static int endpointsFor(double ratePerSecond) {
    return Math.max(1, (int) Math.ceil(ratePerSecond / REQUESTS_PER_ENDPOINT_PER_S));
  }

  /** Device {@code index}'s user and device ids: short, so its token fits one CoAP Uri-Query option. */
  static String userId(String prefix, long index) {
    return prefix + "u" + index;
  }

  static String deviceId(String prefix, long index) {
    return prefix + "d" + index;
  }

  /**
   * Device {@code index} posts one telemetry frame, unless {@code maxInFlight} requests are unanswered: then the
   * arrival is skipped (counted), as a device with a full outbox would keep it.
   */
  public void send(long index, long reading) {
    if (!inFlight.tryAcquire()) {
      skipped.incrementAndGet();
      return;
    }
    String token = DeviceTokens.mint(secret, userId(prefix, index), deviceId(prefix, index), Duration.ofHours(2));
    ClientFrame frame = LoadFrames.telemetry(reading);
    var request = Request.newPost();
    request.setURI(messages + "?access_token=" + token);
    request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    request.setPayload(frame.toByteArray());
    var answered = new AtomicBoolean();
    long sentAt = System.nanoTime();
    metrics.sent();
    var bound = timer.schedule(() -> {
      if (answered.compareAndSet(false, true)) {
        request.cancel();
        failed.incrementAndGet();
        inFlight.release();
      }
    }, ANSWER_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    clients.get((int) (next++ % clients.size())).advanced(new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        if (answered.compareAndSet(false, true)) {
          bound.cancel(false);
          count(response, System.nanoTime() - sentAt);
          inFlight.release();
        }
      }

      @Override
      public void onError() {
        if (answered.compareAndSet(false, true)) {
          bound.cancel(false);
          failed.incrementAndGet();
          inFlight.release();
        }
      }
    }, request);
  }

  private void count(CoapResponse response, long latencyNanos) {
    ServerFrame answer;
    try {
      answer = ServerFrame.parseFrom(response.getPayload());
    } catch (IOException e) {
      failed.incrementAndGet();
      return;
    }
    if (answer.hasAck()) {
      metrics.acked(latencyNanos);
    } else if (answer.hasNack()) {
      metrics.nacked(answer.getNack().getCode());
    } else {
      failed.incrementAndGet();
    }
  }

  /** Waits, at most {@code bound}, until no request is unanswered; says whether that happened. */
  public boolean drain(Duration bound) throws InterruptedException {
    if (inFlight.tryAcquire(maxInFlight, bound.toMillis(), TimeUnit.MILLISECONDS)) {
      inFlight.release(maxInFlight);
      return true;
    }
    return false;
  }

  public long unanswered() {
    return maxInFlight - inFlight.availablePermits();
  }

  /** Arrivals not sent because {@code maxInFlight} requests were unanswered. */
  public long skipped() {
    return skipped.get();
  }

  /** Requests with no usable answer within the bound (or a transport error). */
  public long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    clients.forEach(CoapClient::shutdown);
    endpoints.forEach(CoapEndpoint::destroy);
  }
}
