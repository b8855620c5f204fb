package io.herald.persistence;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.cassandra.healthcheck.CassandraHealthCheck;
import scala.jdk.javaapi.FutureConverters;

/** Whether the journal's Cassandra answers now: tells an unavailable store apart from a record that keeps failing. */
public final class JournalHealth {

  private final CassandraHealthCheck check;

  public JournalHealth(ClassicActorSystemProvider system) {
    this.check = new CassandraHealthCheck(system.classicSystem());
  }

  public CompletionStage<Boolean> check() {
    return FutureConverters.asJava(check.apply()).thenApply(Boolean.class::cast).exceptionally(failure -> false);
  }
}
