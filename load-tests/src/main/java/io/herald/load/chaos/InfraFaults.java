package io.herald.load.chaos;

import java.util.function.Consumer;

/** Faults of the infrastructure Herald stands on: a Kafka broker, Cassandra. */
final class InfraFaults {

  /** The broker that dies: any of the three will do; not the first, whose port leads the bootstrap list. */
  private static final int BROKER = 1;

  private InfraFaults() {}

  /** kill -9 of one of three brokers; with min.insync 2 the other two keep acking; started again after the hold. */
  static Fault brokerKill(FaultTimings timings) {
    return new HeldDown("broker-kill",
        "kill -9 of one of 3 Kafka brokers (RF 3, min.insync 2), started again after the hold (10 s)", timings,
        "SIGKILL Kafka broker " + BROKER, cluster -> cluster.kafka().killBroker(BROKER),
        cluster -> cluster.kafka().startBroker(BROKER), "Kafka broker " + BROKER + " started again, cluster whole");
  }

  /** SIGTERM of Cassandra (it drains and flushes), started again after the hold. */
  static Fault cassandraStop(FaultTimings timings) {
    return new HeldDown("cassandra-stop", "SIGTERM of Cassandra, started again after the hold (10 s)", timings,
        "SIGTERM Cassandra", cluster -> cluster.cassandra().stop(), cluster -> cluster.cassandra().start(),
        "Cassandra started again, cluster whole");
  }

  /** kill -9 of Cassandra; with the batch commit log nothing it acknowledged is lost. Started again after the hold. */
  static Fault cassandraKill(FaultTimings timings) {
    return new HeldDown("cassandra-kill", "kill -9 of Cassandra (commit log batch), started again after the hold (10 s)",
        timings, "SIGKILL Cassandra", cluster -> cluster.cassandra().kill(), cluster -> cluster.cassandra().start(),
        "Cassandra started again, cluster whole");
  }

  /** Takes a part down, holds it down for {@code timings.hold()}, brings it back and waits for the whole cluster. */
  private record HeldDown(String name, String description, FaultTimings timings, String injected,
      Consumer<ChaosCluster> takeDown, Consumer<ChaosCluster> bringBack, String healed) implements Fault {

    @Override
    public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
      log.injected(injected);
      takeDown.accept(cluster);
      Thread.sleep(timings.hold().toMillis()); // the fault's duration
      bringBack.accept(cluster);
      cluster.awaitWhole(timings.healTimeout());
      log.healed(healed);
    }
  }
}
