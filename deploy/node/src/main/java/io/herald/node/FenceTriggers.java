package io.herald.node;

import com.typesafe.config.Config;
import io.herald.persistence.fence.FencedCassandraJournal;
import io.herald.persistence.fence.FencedCassandraSnapshotStore;
import io.herald.persistence.fence.FencedSessionProvider;
import io.herald.persistence.fence.WriterFence;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Starts the node's {@link WriterFence} before anything that writes, and fences it as soon as the node learns that
 * the cluster gave it up: its own member downed (or removed after being downed). Not on being quarantined by another
 * node: a woken zombie quarantines the healthy nodes it can no longer talk to, and must not stop them. Refuses to
 * start a node whose fence could not work (a journal without the fence, a max-pause the cluster can outlast).
 */
final class FenceTriggers {

  private FenceTriggers() {}

  static void start(ActorSystem<?> system, Config config) {
    requireFencedPlugin(config, "pekko.persistence.cassandra.journal.class", FencedCassandraJournal.class);
    requireFencedPlugin(config, "pekko.persistence.cassandra.snapshot.class", FencedCassandraSnapshotStore.class);
    requireFencedPlugin(config, "pekko.persistence.cassandra.session-provider", FencedSessionProvider.class);
    var fence = WriterFence.get(system);
    fence.requireBelow(config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause")
        .plus(config.getDuration("pekko.cluster.split-brain-resolver.stable-after")));
    var self = Cluster.get(system).selfMember().uniqueAddress();
    Behavior<Object> watcher = Behaviors.setup(context -> {
      Cluster.get(system).subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberDowned.class));
      Cluster.get(system).subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(event -> {
        if (event instanceof ClusterEvent.MemberDowned downed && downed.member().uniqueAddress().equals(self)) {
          fence.fence("this node was downed by the cluster");
        } else if (event instanceof ClusterEvent.MemberRemoved removed && removed.member().uniqueAddress().equals(self)
            && removed.previousStatus() == MemberStatus.down()) {
          fence.fence("this node was removed from the cluster after being downed");
        }
        return Behaviors.same();
      });
    });
    system.systemActorOf(watcher, "herald-fence-triggers", Props.empty());
  }

  private static void requireFencedPlugin(Config config, String path, Class<?> fenced) {
    if (!config.getString(path).equals(fenced.getName())) {
      throw new IllegalStateException(path + " is " + config.getString(path) + ", not " + fenced.getName()
          + ": a node whose writes bypass the writer fence could write after being replaced (a config loaded"
          + " without herald-node.conf, or an override)");
    }
  }
}
