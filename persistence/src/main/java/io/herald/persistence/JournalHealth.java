package io.herald.persistence;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.cassandra.healthcheck.CassandraHealthCheck;
import scala.jdk.javaapi.FutureConverters;

/** Whether the journal's Cassandra answers now: tells an unavailable store apart from a record that keeps failing. */
public final class JournalHealth {

  private final CassandraHealthCheck check;
  private final Executor dispatcher;

  public JournalHealth(ClassicActorSystemProvider system) {
    this.check = new CassandraHealthCheck(system.classicSystem());
    this.dispatcher = system.classicSystem().dispatcher();
  }

  public CompletionStage<Boolean> check() {
    // On the dispatcher: a converted Scala future would run even a plain handle on a new thread (2 CPUs).
    return FutureConverters.asJava(check.apply())
        .handleAsync((healthy, failure) -> failure == null && (Boolean) healthy, dispatcher);
  }
}
