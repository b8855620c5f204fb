package io.herald.node.health;

import io.herald.node.warmup.WarmUp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/** Readiness: true once the node's warm-up traffic has run (or was not wanted): see {@link WarmUp}. */
public final class WarmedUp implements Supplier<CompletionStage<Boolean>> {

  private final WarmUp warmUp;

  public WarmedUp(ActorSystem system) {
    this.warmUp = WarmUp.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(warmUp.finished());
  }
}
