package io.herald.gateway.downlink;

import java.time.Duration;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.device.v1.ServerFrame;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.stream.BoundedSourceQueue;

/** Opens the session actors through which the cluster pushes to this node's live sessions. Thread-safe. */
public final class Downlink {

  private final ActorSystem<?> system;
  private final UserEntities users;
  private final Duration reattachEvery;
  // Names the session actors, unique in the JVM (so also with several gateways on one system), which is all a name
  // must be: a random UUID per session cost a SecureRandom draw per connect.
  private static final AtomicLong sessionNumbers = new AtomicLong();

  /** @param reattachEvery how often a session attaches again (see {@link SessionActor}) */
  public Downlink(ActorSystem<?> system, UserEntities users, Duration reattachEvery) {
    this.system = system;
    this.users = users;
    this.reattachEvery = reattachEvery;
  }

  /**
   * Starts a session actor that attaches to the user's entity with {@code lastSeq} and feeds {@code pushes}.
   *
   * @param pushes the session's bounded push queue; when it is full the actor fails it with
   *     {@link SlowSubscriberException}
   */
  public Session open(
      DeviceIdentity identity, long lastSeq, BoundedSourceQueue<ServerFrame> pushes, int pushBufferSize) {
    ActorRef<Object> actor =
        system.systemActorOf(
            SessionActor.create(identity, lastSeq, pushes, pushBufferSize, reattachEvery, users),
            "session-" + sessionNumbers.incrementAndGet(),
            Props.empty());
    return new Session(actor);
  }

  /** One open session actor. */
  public record Session(ActorRef<Object> actor) {

    /** The connection ended: the actor detaches from the entity and stops. */
    public void close() {
      actor.tell(SessionActor.Ended.INSTANCE);
    }
  }
}
