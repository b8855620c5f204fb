package io.herald.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PrepareRequest;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import com.datastax.oss.driver.internal.core.session.SessionWrapper;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import scala.concurrent.duration.FiniteDuration;

/**
 * The journal's Cassandra session, with failed writes to the tag table reported only after a growing pause.
 *
 * <p>Why: Pekko's TagWriter retries a failed tag write after {@code events-by-tag.flush-interval}, which Herald keeps
 * at the plugin's 0 ms so that a tagged persist (which waits for its tag write) is not held back. With Cassandra
 * unreachable the driver fails a write at once (and a missing table fails its preparation, which the plugin repeats
 * for each write), so each TagWriter retried in a busy loop: the chaos scenarios saw 600,000 "Writing tags has
 * failed" lines a minute from one node, whose two dispatcher threads did nothing else while acked records waited.
 * Here a failed tag write completes only after {@code retry-backoff-min}, doubling per failure up to {@code
 * retry-backoff-max}, and at once again after a success; every other statement is passed through as is.
 */
public final class PacedTagWrites extends SessionWrapper implements CqlSession {

  private final ActorSystem system;
  /** What the TagWriter's inserts name, e.g. {@code herald.tag_views(}: computed once, not per statement. */
  private final String tagInsert;
  private final long minNanos;
  private final long maxNanos;
  private final AtomicLong nextPauseNanos;
  private final Counter failures;

  /**
   * {@code session} paced as above if {@code pluginConfig} (the configuration the session is made for) is a journal's
   * with events by tag; otherwise {@code session} itself. Pauses from {@code herald.persistence.tag-writes}.
   */
  public static CqlSession wrap(CqlSession session, ActorSystem system, Config pluginConfig) {
    if (!pluginConfig.hasPath("events-by-tag.table")) {
      return session;
    }
    var settings = system.settings().config().getConfig("herald.persistence.tag-writes");
    return new PacedTagWrites(session, system, pluginConfig.getString("events-by-tag.table"),
        settings.getDuration("retry-backoff-min"), settings.getDuration("retry-backoff-max"));
  }

  private PacedTagWrites(CqlSession delegate, ActorSystem system, String tagTable, Duration min, Duration max) {
    super(delegate);
    this.system = system;
    this.tagInsert = "." + tagTable + "(";
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.nextPauseNanos = new AtomicLong(minNanos);
    this.failures = Counter.builder("herald.persistence.tag.write.failures")
        .description("Writes of tagged events to the tag table that failed; each is retried after a pause")
        .register(Metrics.globalRegistry);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <RequestT extends Request, ResultT> ResultT execute(RequestT request, GenericType<ResultT> resultType) {
    ResultT result = super.execute(request, resultType);
    if (!(resultType.equals(Statement.ASYNC) || resultType.equals(PrepareRequest.ASYNC)) || !isTagWrite(request)) {
      return result;
    }
    var paced = new CompletableFuture<Object>();
    ((CompletionStage<?>) result).whenComplete((done, failure) -> {
      if (failure == null) {
        nextPauseNanos.set(minNanos);
        paced.complete(done);
      } else {
        failures.increment();
        long pause = nextPauseNanos.getAndUpdate(current -> Math.min(maxNanos, current * 2));
        system.scheduler().scheduleOnce(FiniteDuration.create(pause, TimeUnit.NANOSECONDS),
            () -> paced.completeExceptionally(failure), system.dispatcher());
      }
    });
    return (ResultT) paced;
  }

  /** A batch of inserts into the tag table, as the TagWriter writes, or the preparation of such an insert. */
  private boolean isTagWrite(Request request) {
    if (request instanceof PrepareRequest prepare) {
      return prepare.getQuery().contains(tagInsert);
    }
    return request instanceof BatchStatement batch && batch.size() > 0
        && batch.iterator().next() instanceof BoundStatement bound
        && bound.getPreparedStatement().getQuery().contains(tagInsert);
  }
}
