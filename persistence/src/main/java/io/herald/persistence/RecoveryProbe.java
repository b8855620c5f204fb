package io.herald.persistence;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * An entity of a new, unique id that is only ever recovered: recovery opens the journal's and the snapshot store's
 * sessions (which, with autocreate on, create what is missing). {@code recovered} completes when recovery does, or
 * exceptionally with the reason it failed.
 */
final class RecoveryProbe extends EventSourcedBehavior<Void, Void, String> {
  private final CompletableFuture<Void> recovered;

  private RecoveryProbe(CompletableFuture<Void> recovered) {
    super(PersistenceId.ofUniqueId("herald-schema-probe-" + UUID.randomUUID()));
    this.recovered = recovered;
  }

  static Behavior<Void> create(CompletableFuture<Void> recovered) {
    return Behaviors.setup(context -> new RecoveryProbe(recovered));
  }

  @Override
  public String emptyState() {
    return "";
  }

  @Override
  public CommandHandler<Void, Void, String> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand(command -> Effect().none());
  }

  @Override
  public EventHandler<String, Void> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state);
  }

  @Override
  public SignalHandler<String> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> recovered.complete(null))
        .onSignal(RecoveryFailed.class, (state, failed) -> recovered.completeExceptionally(failed.getFailure()))
        .build();
  }
}
