package io.herald.signals.tracing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.herald.protocol.KafkaHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry traces of a frame's way through Herald: a {@code publish} span in the gateway (until Kafka acked the
 * record), and an {@code apply} span in the consumer (until the entity persisted and replied), joined by the W3C
 * {@code traceparent} header the record carries in Kafka. Spans are always made, so every record and log line has a
 * trace id; they are exported over OTLP/HTTP only when {@code herald.tracing.otlp.endpoint} is set (off by default).
 * Without an endpoint a trace started here is not recorded: its spans carry valid ids (and so the traceparent and the
 * logs' trace id) but no attributes, events or timing, which cost about 4 % of the node's CPU per frame for nothing
 * (docs/performance.md); a caller's sampled trace is still recorded, as its sampling decision is kept.
 * One per actor system, as a Pekko extension; flushed and closed by coordinated shutdown.
 */
public final class Tracing implements Extension {

  /** Span names, the same in code, docs and the tracing back end. */
  public static final String PUBLISH_SPAN = "herald.ingress publish";
  public static final String APPLY_SPAN = "herald.ingress apply";
  /** A child of apply: the entity's ask, from the first attempt until its durable answer (persisted, or refused). */
  public static final String PERSIST_SPAN = "herald.entity persist";
  /** A child of apply: the record's pushes put into the users' outboxes (from where live sessions get them). */
  public static final String OUTBOX_SPAN = "herald.outbox enqueue";
  /**
   * A chat message put into every member's outbox by its conversation's fan-out (after the apply replied), a child of
   * the apply span of the record that sent it.
   */
  public static final String FAN_OUT_SPAN = "herald.conversation fan-out";
  /** How many members a fan-out span delivered to. */
  public static final AttributeKey<Long> MEMBERS = AttributeKey.longKey("herald.members");
  /** Which entity type a persist span asked: {@code device}, {@code user} or {@code conversation}. */
  public static final AttributeKey<String> ENTITY = AttributeKey.stringKey("herald.entity");
  /** How many pushes an outbox span enqueued. */
  public static final AttributeKey<Long> PUSHES = AttributeKey.longKey("herald.pushes");
  public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("herald.message_id");
  public static final AttributeKey<String> USER_ID = AttributeKey.stringKey("herald.user_id");
  public static final AttributeKey<String> DEVICE_ID = AttributeKey.stringKey("herald.device_id");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("herald.outcome");

  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  private static final String INSTRUMENTATION = "io.herald";
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<String> TRACEPARENT_ONLY = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of(KafkaHeaders.TRACEPARENT);
    }

    @Override
    public String get(String carrier, String key) {
      return KafkaHeaders.TRACEPARENT.equals(key) ? carrier : null;
    }
  };

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get(INSTRUMENTATION);
  }

  public static Tracing get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** The tracer provider the settings describe; the caller closes it. */
  static SdkTracerProvider provider(TracingSettings settings) {
    var builder = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", settings.serviceName()).build()))
        // A caller's sampling decision is kept; a trace started here is sampled at the configured ratio, or not at all
        // when nothing exports it.
        .setSampler(Sampler.parentBased(settings.otlpEndpoint().isPresent()
            ? Sampler.traceIdRatioBased(settings.sampleRatio())
            : Sampler.alwaysOff()));
    // Without any processor the SDK hands out invalid (no-op) spans, and records would carry no trace id.
    builder.addSpanProcessor(settings.otlpEndpoint()
        .<SpanProcessor>map(endpoint -> BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint)
                .setTimeout(settings.exportTimeout())
                .setHeaders(settings::otlpHeaders)
                .build())
            .setMaxQueueSize(settings.maxQueuedSpans())
            .setScheduleDelay(settings.exportInterval())
            .build())
        .orElseGet(NotExported::new));
    return builder.build();
  }

  /**
   * The gateway's span for one frame, from its hand-over to Kafka until Kafka acked it. A valid {@code traceparent}
   * of the caller (e.g. the WebSocket upgrade request's) makes it a child of the caller's trace; anything else starts
   * a new trace.
   */
  public Span startPublish(Optional<String> callerTraceparent, String messageId, String userId, String deviceId) {
    return tracer.spanBuilder(PUBLISH_SPAN)
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent(callerTraceparent.orElse(null)))
        .setAttribute(MESSAGE_ID, messageId)
        .setAttribute(USER_ID, userId)
        .setAttribute(DEVICE_ID, deviceId)
        .startSpan();
  }

  /** The consumer's span for one record, a child of the span named by the record's {@code traceparent} header. */
  public Span startApply(String recordTraceparent, String messageId, String userId, String deviceId) {
    return tracer.spanBuilder(APPLY_SPAN)
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(parent(recordTraceparent))
        .setAttribute(MESSAGE_ID, messageId)
        .setAttribute(USER_ID, userId)
        .setAttribute(DEVICE_ID, deviceId)
        .startSpan();
  }

  /**
   * A step of {@code parent}'s work, as its child span ({@link #PERSIST_SPAN}, {@link #OUTBOX_SPAN}). Only a recorded
   * parent has children: under an unrecorded one (no export, or not sampled) nothing would be exported, so nothing is
   * made (the invalid span, free to use and end), which keeps the path without export as cheap as before.
   */
  public Span startChild(Span parent, String name) {
    if (!parent.isRecording()) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(Context.root().with(parent)).startSpan();
  }

  /**
   * The fan-out of one chat message, a child of the span {@code parentTraceparent} names (the sender's apply span);
   * like {@link #startChild}, nothing (the invalid span) unless that parent was sampled.
   */
  public Span startFanOut(String parentTraceparent, int members) {
    Context parent = parent(parentTraceparent);
    if (!Span.fromContext(parent).getSpanContext().isSampled()) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(FAN_OUT_SPAN).setSpanKind(SpanKind.INTERNAL).setParent(parent)
        .setAttribute(MEMBERS, members).startSpan();
  }

  /** The W3C {@code traceparent} naming {@code span} as the parent of what comes next. */
  public static String traceparent(Span span) {
    SpanContext context = span.getSpanContext();
    return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
  }

  /** The span context a W3C {@code traceparent} names; the invalid context when it is malformed. */
  public static SpanContext spanContext(String traceparent) {
    return Span.fromContext(parent(traceparent)).getSpanContext();
  }

  private static Context parent(String traceparent) {
    return traceparent == null ? Context.root() : W3C.extract(Context.root(), traceparent.trim(), TRACEPARENT_ONLY);
  }

  /** Exports what is queued; for coordinated shutdown and tests. */
  public CompletableFuture<Void> flush() {
    return completion(provider.forceFlush());
  }

  private CompletableFuture<Void> shutdown() {
    return completion(provider.shutdown());
  }

  private static CompletableFuture<Void> completion(CompletableResultCode code) {
    var done = new CompletableFuture<Void>();
    code.whenComplete(() -> done.complete(null));
    return done;
  }

  /** Spans are made and ended, and go nowhere. */
  private static final class NotExported implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }

  private static final class Id extends ExtensionId<Tracing> {
    static final Id INSTANCE = new Id();

    @Override
    public Tracing createExtension(ActorSystem<?> system) {
      var settings = TracingSettings.from(system.settings().config());
      var tracing = new Tracing(provider(settings));
      settings.otlpEndpoint().ifPresentOrElse(
          endpoint -> log.info("Exporting traces over OTLP to {} (sample ratio {})", endpoint, settings.sampleRatio()),
          () -> log.debug("Trace export is off (herald.tracing.otlp.endpoint is empty)"));
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseActorSystemTerminate(), "herald-tracing-flush",
          // Synchronous: shutdown() is this class's own future, completed by the exporter, and the step is trivial.
          () -> tracing.shutdown().orTimeout(settings.exportTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .handle((ignored, failure) -> Done.getInstance()));
      return tracing;
    }
  }

  /**
   * {@code herald.tracing}: see reference.conf, where the OpenTelemetry SDK's standard variables feed the settings
   * ({@code OTEL_SERVICE_NAME}, {@code OTEL_TRACES_SAMPLER_ARG}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT},
   * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_HEADERS}, {@code OTEL_SDK_DISABLED}).
   *
   * @param otlpEndpoint the OTLP/HTTP traces URL, e.g. {@code http://collector:4318/v1/traces}; empty: no export
   * @param otlpHeaders sent with every export request (a collector's API key, say)
   */
  record TracingSettings(String serviceName, Optional<String> otlpEndpoint, Map<String, String> otlpHeaders,
      double sampleRatio, Duration exportTimeout, Duration exportInterval, int maxQueuedSpans) {

    static TracingSettings from(Config config) {
      var tracing = config.getConfig("herald.tracing");
      return new TracingSettings(
          tracing.getString("service-name"),
          tracing.getBoolean("disabled") ? Optional.empty() : tracesEndpoint(tracing.getConfig("otlp")),
          headers(tracing.getString("otlp.headers")),
          tracing.getDouble("sample-ratio"),
          tracing.getDuration("otlp.timeout"),
          tracing.getDuration("otlp.interval"),
          tracing.getInt("otlp.max-queued-spans"));
    }

    /** The traces URL itself, else the base URL with the traces path appended, as the OTLP exporter spec says. */
    private static Optional<String> tracesEndpoint(Config otlp) {
      var endpoint = otlp.getString("endpoint").strip();
      if (!endpoint.isEmpty()) {
        return Optional.of(endpoint);
      }
      var base = otlp.getString("base-endpoint").strip();
      if (base.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of((base.endsWith("/") ? base : base + "/") + "v1/traces");
    }

    /** {@code key1=value1,key2=value2}, values percent-encoded (the OTLP exporter's format). */
    private static Map<String, String> headers(String list) {
      var headers = new LinkedHashMap<String, String>();
      for (var entry : list.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        int equals = entry.indexOf('=');
        if (equals <= 0) {
          throw new ConfigException.BadValue("herald.tracing.otlp.headers",
              "expected key=value pairs separated by commas, got '" + entry.strip() + "'");
        }
        headers.put(entry.substring(0, equals).strip(),
            URLDecoder.decode(entry.substring(equals + 1).strip(), StandardCharsets.UTF_8));
      }
      return Map.copyOf(headers);
    }
  }
}
