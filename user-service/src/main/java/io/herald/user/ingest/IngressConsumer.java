package io.herald.user.ingest;

import io.herald.persistence.JournalHealth;
import io.herald.persistence.fence.WriterFence;
import io.herald.protocol.KafkaHeaders;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.IngressAppliedBatch;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.Rejected;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ApplyRecords;
import io.herald.signals.cluster.ConversationSignal;
import io.herald.signals.cluster.DeviceSignal;
import io.herald.signals.cluster.UserSignal;
import io.herald.signals.concurrent.Continuations;
import io.herald.signals.tracing.Tracing;
import io.herald.user.colocation.Colocation;
import io.herald.user.colocation.EntityHops;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * herald.ingress to entities: each record is asked of the entity that owns it, and its offset is committed only after
 * that entity persisted and replied.
 *
 * <ul>
 *   <li>Order: records of one user (the Kafka key) are applied one after the other, in offset order; records of
 *       different users are applied together, up to {@code parallelism} at once, and complete in any order.
 *   <li>Window: the consumer holds up to {@code window} records, those waiting for their user's earlier ones
 *       included; only records whose turn has come take one of the {@code parallelism} applying slots
 *       ({@link OrderedByKey}), so one user's backlog does not take every slot.
 *   <li>Isolation: a record that waits (its entity does not answer, it is asked again) holds back only the records of
 *       its own user; each partition commits up to its lowest record still in flight ({@link DrainOnRevoke}).
 *   <li>Back-pressure: in-flight records are bounded, so a slow entity (or Cassandra) stops the consumer from pulling
 *       and the backlog stays in Kafka.
 *   <li>Failures: see {@code herald.user.ingest.retry}; poison records go to herald.dead-letter.
 * </ul>
 */
public final class IngressConsumer {

  private static final Logger log = LoggerFactory.getLogger(IngressConsumer.class);

  private final ActorSystem<?> system;
  private final Executor dispatcher;
  private final IngestSettings settings;
  private final ClusterSharding sharding;
  private final DeadLetters deadLetters;
  private final OwnerOutbox outbox;
  private final IngestMetrics metrics = new IngestMetrics();
  private final JournalHealth journalHealth;
  private final Cluster cluster;
  private final Colocation colocation;
  private final EntityHops hops;
  private final Tracing tracing;
  private final TroubleWatch trouble = new TroubleWatch(System::nanoTime);
  private final AtomicReference<KafkaClientMetrics> clientMetrics = new AtomicReference<>();
  private final AtomicReference<Consumer.Control> control = new AtomicReference<>(Consumer.createNoopControl());

  private IngressConsumer(ActorSystem<?> system, IngestSettings settings, Colocation colocation) {
    this.system = system;
    this.dispatcher = system.executionContext();
    this.settings = settings;
    this.sharding = ClusterSharding.get(system);
    this.deadLetters = new DeadLetters(system, settings);
    this.outbox = new OwnerOutbox(system, settings.userOutboxes(system));
    this.journalHealth = new JournalHealth(system);
    this.cluster = Cluster.get(system);
    this.colocation = colocation;
    this.tracing = Tracing.get(system);
    this.hops = new EntityHops(system).watch(
        Set.of(UserSignal.TYPE_KEY, DeviceSignal.TYPE_KEY, ConversationSignal.TYPE_KEY), Duration.ofSeconds(2));
  }

  /** Starts consuming and registers the stop (drain in-flight, commit, leave the group) with CoordinatedShutdown. */
  public static IngressConsumer start(ActorSystem<?> system, IngestSettings settings, Colocation colocation) {
    var consumer = new IngressConsumer(system, settings, colocation);
    consumer.run();
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(5), Duration.ofSeconds(5),
        () -> consumer.control.get().getMetrics().thenAcceptAsync(metrics -> consumer.metrics.lag(settings.topic(), metrics),
            consumer.dispatcher), system.executionContext());
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(2), Duration.ofSeconds(2),
        () -> consumer.journalHealth.check().thenAcceptAsync(healthy ->
            consumer.trouble.observe(healthy, consumer.cluster.state().getUnreachable().size()), consumer.dispatcher),
        system.executionContext());
    // A fenced node may no longer own its partitions: leave the group at once instead of polling (and rejoining, which
    // rebalances the live consumers) until the node stops.
    WriterFence.get(system).whenFenced(() -> consumer.control.get().shutdown());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-ingress-consumer",
        () -> consumer.control.get().drainAndShutdown(CompletableFuture.completedFuture(Done.getInstance()),
            system.executionContext()).whenCompleteAsync((done, failure) -> {
              consumer.metrics.forgetLag();
              consumer.unbindClientMetrics();
            },
            consumer.dispatcher));
    return consumer;
  }

  /**
   * The Kafka consumer of each (re)start of the source, with its own metrics (fetch latency, records per request,
   * rebalances, commit rate) on /metrics as kafka_consumer_*; the previous consumer's are removed, since a restart
   * follows its close.
   */
  private org.apache.kafka.clients.consumer.Consumer<String, byte[]> newKafkaConsumer(
      ConsumerSettings<String, byte[]> consumerSettings) {
    var kafkaConsumer = new KafkaConsumer<>(consumerSettings.getProperties(), new StringDeserializer(),
        new ByteArrayDeserializer());
    var bound = new KafkaClientMetrics(kafkaConsumer);
    bound.bindTo(Metrics.globalRegistry);
    var previous = clientMetrics.getAndSet(bound);
    if (previous != null) {
      previous.close();
    }
    return kafkaConsumer;
  }

  private void unbindClientMetrics() {
    var bound = clientMetrics.getAndSet(null);
    if (bound != null) {
      bound.close();
    }
  }

  private void run() {
    var consumerSettings = ConsumerSettings.create(settings.consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())
        .withBootstrapServers(settings.bootstrapServers())
        .withGroupId(settings.groupId())
        .withConsumerFactory(this::newKafkaConsumer);
    var restartSettings = RestartSettings.create(settings.minBackoff(), settings.maxBackoff(), settings.randomFactor());

    RestartSource.onFailuresWithBackoff(restartSettings, () -> {
          var drain = new DrainOnRevoke(settings.drainTimeout(), assigned -> colocation.consumedHere(system, assigned),
              WriterFence.get(system));
          return Consumer.committableSource(consumerSettings,
                  Subscriptions.topics(settings.topic()).withPartitionAssignmentHandler(drain))
              .mapMaterializedValue(c -> {
                control.set(c);
                return c;
              })
              .map(message -> new Consumed(drain.started(partition(message), message),
                  IngressRoute.of(message.record().value())))
              // One user's records are applied one after the other, in offset order; different users' records are
              // applied side by side and complete in any order, so a record that waits (an entity that does not
              // answer, a retry) holds back only its own user. Synchronous: apply completes on the dispatcher.
              .via(new OrderedByKey<>(settings.window(), settings.parallelism(),
                  consumed -> orderingKey(consumed.owned().message()), batchRule(),
                  batch -> apply(batch).thenApply(done -> batch.stream().map(consumed -> drain.applied(consumed.owned()))
                      .toList())))
              .mapConcat(point -> point.map(List::of).orElse(List.of()))
              .groupedWithin(settings.commitMaxBatch(), settings.commitMaxInterval())
              .mapAsync(1, drain::commitStillOwned);
        })
        .runWith(Sink.ignore(), system);
  }

  /** A record as consumed, with where it goes (parsed once). */
  private record Consumed(DrainOnRevoke.Owned owned, IngressRoute routing) {

    CommittableMessage<String, byte[]> message() {
      return owned.message();
    }

    /** The Device a batch may take this record to, if any: telemetry and heartbeats ({@link ApplyRecords#carries}). */
    Optional<String> batchableDevice() {
      return routing instanceof IngressRoute.ToEntity to && to.entity() == IngressRoute.Entity.DEVICE
          && ApplyRecords.carries(to.record().getFrame()) ? Optional.of(to.entityId()) : Optional.empty();
    }
  }

  /** Consecutive telemetry and heartbeats of one device, up to {@code herald.user.ingest.batch}. */
  private OrderedByKey.BatchRule<Consumed> batchRule() {
    return new OrderedByKey.BatchRule<>(settings.batchMaxRecords(), settings.batchMaxBytes(),
        consumed -> consumed.message().record().serializedValueSize(),
        (first, next) -> {
          var device = first.batchableDevice();
          return device.isPresent() && device.equals(next.batchableDevice());
        });
  }

  /** Completes on the dispatcher (or at once): may be continued synchronously. */
  private CompletionStage<Done> apply(List<Consumed> batch) {
    return batch.size() == 1 ? process(batch.get(0)) : processBatch(batch);
  }

  private static TopicPartition partition(CommittableMessage<String, byte[]> message) {
    return new TopicPartition(message.record().topic(), message.record().partition());
  }

  /** The Kafka key is the user id: one user's records are applied in the order the gateway acked them. */
  private static String orderingKey(CommittableMessage<String, byte[]> message) {
    var key = message.record().key();
    return key == null ? "" : key;
  }

  /** Completes on the dispatcher (or at once): may be continued synchronously. */
  private CompletionStage<Done> process(Consumed consumed) {
    var message = consumed.message();
    var routing = consumed.routing();
    if (routing instanceof IngressRoute.Undeliverable undeliverable) {
      metrics.outcome("dead_letter");
      return deadLetters.send(message.record(), undeliverable.reason());
    }
    var record = routing instanceof IngressRoute.ToEntity to ? to.record() : ((IngressRoute.Unrouted) routing).record();
    var started = System.nanoTime();
    Span span = startApplySpan(message, record);
    var context = RecordContext.of(record, span.getSpanContext().getTraceId());
    return route(routing, span)
        // Synchronous: applyOrDeadLetter completes on the dispatcher.
        .map(ask -> applyOrDeadLetter(message, record, context, new Applying(span, entityName(routing), ask))
            .whenComplete((done, failure) -> {
              metrics.apply().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              if (failure != null) {
                span.setStatus(StatusCode.ERROR, failure.toString());
              }
              span.end();
            }))
        .orElseGet(() -> {
          context.log(() -> log.warn("No entity handles {}; record {} committed", record.getFrame().getBodyCase(),
              record.getMessageId()));
          metrics.outcome("unrouted");
          span.setAttribute(Tracing.OUTCOME, "unrouted");
          span.end();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  /**
   * Consecutive telemetry and heartbeats of one device in one ask ({@link ApplyRecords}): one journal write, one
   * answer with every record's outcome; then each outcome as {@link #process} would handle it. If the ask fails, or
   * the entity answers that the batch is not one it takes (no outcomes), the records are applied one by one, in order,
   * with {@link #process}'s retries and dead-lettering (the entity applies each at most once, so a batch that was
   * persisted before its answer was lost is answered as duplicates). Completes on the dispatcher.
   */
  private CompletionStage<Done> processBatch(List<Consumed> batch) {
    var started = System.nanoTime();
    var deviceId = batch.get(0).batchableDevice().orElseThrow();
    var records = batch.stream().map(consumed -> ((IngressRoute.ToEntity) consumed.routing()).record()).toList();
    hops.count(DeviceSignal.TYPE_KEY, colocation.defaultShards(), deviceId);
    CompletionStage<IngressAppliedBatch> ask = sharding.entityRefFor(DeviceSignal.TYPE_KEY, deviceId)
        .ask(replyTo -> new ApplyRecords(records, replyTo), settings.askTimeout());
    metrics.batch(batch.size());
    // Synchronous: onDispatcher completes on the dispatcher, and so does every stage composed after it.
    return Continuations.onDispatcher(ask, dispatcher).handle((answer, failure) -> {
      if (failure != null || answer.getAppliedCount() != records.size()) {
        if (failure != null) {
          log.debug("A batch of {} records of device {} not applied at once ({}): one by one", batch.size(), deviceId,
              failure.toString());
        }
        CompletionStage<Done> oneByOne = CompletableFuture.completedFuture(Done.getInstance());
        for (var consumed : batch) {
          oneByOne = oneByOne.thenCompose(done -> process(consumed));
        }
        return oneByOne;
      }
      var elapsed = System.nanoTime() - started;
      var outcomes = new ArrayList<CompletableFuture<Done>>(records.size());
      for (int i = 0; i < records.size(); i++) {
        var record = records.get(i);
        Span span = startApplySpan(batch.get(i).message(), record);
        var context = RecordContext.of(record, span.getSpanContext().getTraceId());
        metrics.apply().record(elapsed, TimeUnit.NANOSECONDS);
        outcomes.add(outcome(record, context, answer.getApplied(i), span).whenComplete((done, error) -> {
          if (error != null) {
            span.setStatus(StatusCode.ERROR, error.toString());
          }
          span.end();
        }).toCompletableFuture());
      }
      return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(done -> Done.getInstance());
    }).thenCompose(Function.identity());
  }

  /** The record's apply span: it continues the gateway's publish span named by the record's traceparent header. */
  private Span startApplySpan(CommittableMessage<String, byte[]> message, IngressRecord record) {
    var traceparent = message.record().headers().lastHeader(KafkaHeaders.TRACEPARENT);
    return tracing.startApply(traceparent == null ? null : new String(traceparent.value(), StandardCharsets.UTF_8),
        record.getMessageId(), record.getUserId(), record.getDeviceId());
  }

  private Optional<Callable<CompletionStage<IngressApplied>>> route(IngressRoute routing, Span applySpan) {
    if (!(routing instanceof IngressRoute.ToEntity to)) {
      return Optional.empty();
    }
    // Every entity gets the same signal. Only a conversation continues the trace past its reply (a chat message's
    // fan-out); no string is made for an unrecorded span.
    var traceparent = to.entity() == IngressRoute.Entity.CONVERSATION && applySpan.isRecording()
        ? Tracing.traceparent(applySpan) : "";
    return Optional.of(switch (to.entity()) {
      case DEVICE -> ask(DeviceSignal.TYPE_KEY, colocation.defaultShards(), to,
          replyTo -> new ApplyRecord(to.record(), replyTo, traceparent));
      case USER -> ask(UserSignal.TYPE_KEY, colocation.userShards(), to,
          replyTo -> new ApplyRecord(to.record(), replyTo, traceparent));
      // Conversations belong to the chat-service: reached by entity type name, never by its classes.
      case CONVERSATION -> ask(ConversationSignal.TYPE_KEY, colocation.defaultShards(), to,
          replyTo -> new ApplyRecord(to.record(), replyTo, traceparent));
    });
  }

  /** The record's entity, asked by entity type name; {@code shards}: how its type places entities (for the hop count). */
  private <M> Callable<CompletionStage<IngressApplied>> ask(EntityTypeKey<M> type,
      ShardingMessageExtractor<ShardingEnvelope<M>, M> shards, IngressRoute.ToEntity to,
      Function<ActorRef<IngressApplied>, M> apply) {
    return () -> {
      hops.count(type, shards, to.entityId());
      return sharding.entityRefFor(type, to.entityId()).ask(apply::apply, askTimeout());
    };
  }

  /** Short while the journal or the cluster was in trouble lately: see retry.ask-timeout-in-trouble. */
  private Duration askTimeout() {
    return trouble.quietFor(settings.askTimeout()) ? settings.askTimeout() : settings.askTimeoutInTrouble();
  }

  /** The entity's answer, asked again with backoff while it fails. Completes on the dispatcher. */
  private CompletionStage<IngressApplied> settled(Callable<CompletionStage<IngressApplied>> ask) {
    return Continuations.onDispatcher(Patterns.retry(ask, settings.maxAttempts(), settings.retryMinBackoff(),
        settings.retryMaxBackoff(), settings.randomFactor(), system), dispatcher);
  }

  /** A record's ask of its entity, with the record's apply span and the entity type's name (for the child spans). */
  private record Applying(Span span, String entity, Callable<CompletionStage<IngressApplied>> ask) {}

  /** The entity type a record goes to, as the persist span's {@link Tracing#ENTITY}; empty for an unrouted one. */
  private static String entityName(IngressRoute routing) {
    return routing instanceof IngressRoute.ToEntity to ? to.entity().traceName : "";
  }

  /** How an entity answered: {@code applied}, {@code duplicate} or {@code rejected} (a metric's and a span's). */
  private static String outcomeOf(IngressApplied applied) {
    return applied.getRejectedCode() != NackCode.NACK_CODE_UNSPECIFIED ? "rejected"
        : applied.getDuplicate() ? "duplicate" : "applied";
  }

  /** Completes on the dispatcher. */
  private CompletionStage<Done> applyOrDeadLetter(
      CommittableMessage<String, byte[]> message, IngressRecord record, RecordContext context, Applying applying) {
    var ask = applying.ask();
    Span persist = tracing.startChild(applying.span(), Tracing.PERSIST_SPAN);
    persist.setAttribute(Tracing.ENTITY, applying.entity());
    // Synchronous: settled completes on the dispatcher.
    return settled(ask)
        .whenComplete((applied, failure) -> {
          if (failure != null) {
            persist.setStatus(StatusCode.ERROR, failure.toString());
          } else {
            persist.setAttribute(Tracing.OUTCOME, outcomeOf(applied));
          }
          persist.end();
        })
        .thenCompose(applied -> outcome(record, context, applied, applying.span()))
        .exceptionallyComposeAsync(failure -> journalHealth.check().thenComposeAsync(healthy -> {
          // A record is poison only when everything it needs was there, and had been for a while: with the journal
          // down, a node unreachable (its entities are elsewhere once the Split Brain Resolver has decided), or either
          // of them only just recovered, it waits, and its partition too.
          var unreachable = cluster.state().getUnreachable().size();
          trouble.observe(healthy, unreachable);
          if (healthy && unreachable == 0 && trouble.quietFor(settings.poisonQuietPeriod())) {
            metrics.outcome("dead_letter");
            return context.within(() -> deadLetters.send(message.record(),
                "not applied after " + settings.maxAttempts() + " attempts: " + failure));
          }
          context.log(() -> log.warn("Record {} waits (journal healthy: {}, unreachable nodes: {}, quiet for {}: {}); "
              + "its partition with it", record.getMessageId(), healthy, unreachable, settings.poisonQuietPeriod(),
              trouble.quietFor(settings.poisonQuietPeriod())));
          return applyOrDeadLetter(message, record, context, applying);
        }, dispatcher), dispatcher);
  }

  /**
   * The pushes the effect causes reach the users' outboxes before the offset is committed. A record the entity
   * refused was durable and acked, so the sender learns of the refusal by push.rejected.
   */
  private CompletionStage<Done> outcome(IngressRecord record, RecordContext context, IngressApplied applied,
      Span applySpan) {
    var pushes = new ArrayList<>(applied.getPushesList());
    var rejected = applied.getRejectedCode() != NackCode.NACK_CODE_UNSPECIFIED;
    metrics.outcome(outcomeOf(applied));
    if (rejected) {
      context.log(() -> log.info("Record {} of user {} refused by its entity: {} {}", record.getMessageId(),
          record.getUserId(), applied.getRejectedCode(), applied.getDetail()));
      pushes.add(PushIntent.newBuilder().setUserId(record.getUserId()).setCauseId(record.getMessageId() + "/rejected")
          .setPush(Push.newBuilder().setRejected(Rejected.newBuilder().setMessageId(record.getMessageId())
              .setCode(applied.getRejectedCode()).setDetail(applied.getDetail())
              .setRetryAfterMs(applied.getRetryAfterMs())))
          .build());
    }
    if (pushes.isEmpty()) {
      return outbox.enqueueAll(pushes);
    }
    Span enqueue = tracing.startChild(applySpan, Tracing.OUTBOX_SPAN);
    enqueue.setAttribute(Tracing.PUSHES, pushes.size());
    // Synchronous: enqueueAll completes on the dispatcher, and ending a span is trivial.
    return outbox.enqueueAll(pushes).whenComplete((done, failure) -> {
      if (failure != null) {
        enqueue.setStatus(StatusCode.ERROR, failure.toString());
      }
      enqueue.end();
    });
  }
}
