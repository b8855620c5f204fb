package io.herald.gateway.degradation;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * The degradation mode as a last-writer-wins register in Distributed Data: a switch on any node is written to a
 * majority and gossiped to the rest; every node's subscription puts it in force there.
 */
final class ReplicatedMode {

  sealed interface Command {}

  record Set(DegradationMode mode, ActorRef<DegradationMode> replyTo) implements Command {}

  private record Changed(Replicator.SubscribeResponse<LWWRegister<String>> response) implements Command {}

  private record Written(Replicator.UpdateResponse<LWWRegister<String>> response, DegradationMode mode,
      ActorRef<DegradationMode> replyTo) implements Command {}

  private static final Key<LWWRegister<String>> KEY = LWWRegisterKey.create("herald-degradation-mode");
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

  private ReplicatedMode() {}

  static Behavior<Command> create(Consumer<DegradationMode> inForce) {
    return Behaviors.setup(context -> DistributedData.withReplicatorMessageAdapter(
        (org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter<Command, LWWRegister<String>> replicator) -> {
          SelfUniqueAddress node = DistributedData.get(context.getSystem()).selfUniqueAddress();
          // When this node last switched (wall clock, as the register's timestamps). The subscription delivers changes
          // up to notify-subscribers-interval late, so a value written before that switch may still arrive after it;
          // it has lost to the switch in the register (last writer wins by timestamp) and must not undo it here.
          long[] switchedAt = {Long.MIN_VALUE};
          replicator.subscribe(KEY, Changed::new);
          return Behaviors.receive(Command.class)
              .onMessage(Set.class, set -> {
                switchedAt[0] = System.currentTimeMillis();
                replicator.askUpdate(
                    replyTo -> new Replicator.Update<>(KEY, LWWRegister.create(node, set.mode().name()),
                        new Replicator.WriteMajority(WRITE_TIMEOUT), replyTo,
                        register -> register.withValue(node, set.mode().name())),
                    response -> new Written(response, set.mode(), set.replyTo()));
                return Behaviors.same();
              })
              .onMessage(Written.class, written -> {
                if (!(written.response() instanceof Replicator.UpdateSuccess)) {
                  context.getLog().warn("Degradation {} is in force here but not yet confirmed by a majority: {}",
                      written.mode().wireName(), written.response());
                }
                written.replyTo().tell(written.mode());
                return Behaviors.same();
              })
              .onMessage(Changed.class, changed -> {
                if (changed.response() instanceof Replicator.Changed<LWWRegister<String>> value
                    && value.get(KEY).timestamp() >= switchedAt[0]) {
                  inForce.accept(DegradationMode.valueOf(value.get(KEY).getValue()));
                }
                return Behaviors.same();
              })
              .build();
        }));
  }
}
