package io.herald.gateway.ingress;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long a client waits for Kafka, and stops handing records to Kafka while it looks unreachable.
 *
 * <p>Closed: each send is answered within {@code answer-timeout} (a send that takes longer is answered RETRY_LATER,
 * without waiting up to {@code delivery.timeout.ms}). {@code max-failures} consecutive failed or late sends open the
 * breaker: then every frame is answered RETRY_LATER at once and nothing is queued in the producer. After
 * {@code reset-timeout} one real frame goes through as a probe (half-open); its ack closes the breaker, its failure
 * opens it again for twice as long (up to {@code max-reset-timeout}). So the gateway recovers by itself.
 *
 * <p>Built on Pekko's CircuitBreaker, which is thread-safe and never blocks. Its answer is a stage converted from a
 * Scala future, whose continuations would otherwise run on the JDK's default executor (a new thread per task on 2
 * CPUs): it is continued on the dispatcher.
 */
public final class KafkaBreaker {

  /** What the breaker thinks of Kafka now (a seam for metrics). */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private static final Logger log = LoggerFactory.getLogger(KafkaBreaker.class);
  private static final String BREAKER_OPEN_DETAIL = "Kafka is unavailable (circuit breaker open)";

  private final CircuitBreaker breaker;
  private final BreakerSettings settings;
  private final Executor dispatcher;

  /** @param dispatcher runs the continuation that turns Kafka's answer into a {@link PublishResult} */
  public KafkaBreaker(BreakerSettings settings, Scheduler scheduler, Executor dispatcher) {
    this.settings = settings;
    this.dispatcher = dispatcher;
    this.breaker =
        CircuitBreaker.create(scheduler, settings.maxFailures(), settings.answerTimeout(), settings.resetTimeout())
            .withExponentialBackoff(settings.maxResetTimeout())
            .addOnOpenListener(() -> log.warn("Kafka breaker opened: frames are answered RETRY_LATER at once"))
            .addOnHalfOpenListener(() -> log.info("Kafka breaker half-open: the next frame probes Kafka"))
            .addOnCloseListener(() -> log.info("Kafka breaker closed: Kafka acknowledges again"));
  }

  public State state() {
    if (breaker.isOpen()) {
      return State.OPEN;
    }
    return breaker.isHalfOpen() ? State.HALF_OPEN : State.CLOSED;
  }

  /**
   * While the breaker is open, the answer of a frame that is not handed over at all: for a frame that would wait for
   * its turn first (the intake) and then be refused by {@link #guard}, so it is refused at once. The retry-after is
   * the configured one: only a call learns the breaker's remaining open time.
   */
  public Optional<PublishResult.NotTaken> refusalWhileOpen() {
    if (!breaker.isOpen()) {
      return Optional.empty();
    }
    return Optional.of(new PublishResult.NotTaken(PublishResult.Reason.BREAKER_OPEN, settings.retryAfter(),
        BREAKER_OPEN_DETAIL));
  }

  /** The answer bound of one frame. */
  public Duration answerTimeout() {
    return settings.answerTimeout();
  }

  /**
   * Runs {@code send} unless the breaker is open, and turns whatever happens into a {@link PublishResult} within
   * the answer timeout. The returned stage never fails; it is a plain future completed on the dispatcher, so it may
   * be continued synchronously ({@link io.herald.signals.concurrent.Continuations}).
   */
  CompletionStage<PublishResult> guard(Supplier<CompletionStage<RecordMetadata>> send) {
    return breaker
        .<RecordMetadata>callWithCircuitBreakerCS(send::get)
        .handleAsync(
            (metadata, failure) -> {
              if (failure == null) {
                return new PublishResult.Durable(metadata);
              }
              return notTaken(failure instanceof CompletionException ? failure.getCause() : failure);
            },
            dispatcher);
  }

  private PublishResult notTaken(Throwable cause) {
    if (cause instanceof CircuitBreakerOpenException open) {
      Duration remaining = Duration.ofMillis(open.remainingDuration().toMillis());
      return new PublishResult.NotTaken(
          PublishResult.Reason.BREAKER_OPEN,
          remaining.compareTo(settings.retryAfter()) > 0 ? remaining : settings.retryAfter(),
          BREAKER_OPEN_DETAIL);
    }
    if (cause instanceof TimeoutException) {
      // Pekko's call timeout: the record may still be acknowledged later; the client resends with the same id.
      return new PublishResult.NotTaken(
          PublishResult.Reason.NO_ANSWER_IN_TIME,
          settings.retryAfter(),
          "Kafka did not acknowledge the frame within " + settings.answerTimeout().toMillis() + " ms");
    }
    return new PublishResult.NotTaken(
        PublishResult.Reason.KAFKA_FAILED, settings.retryAfter(), "Kafka did not take the frame: " + cause);
  }
}
