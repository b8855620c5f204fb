package io.herald.load.chaos;

/** Faults of the infrastructure Herald stands on: a Kafka broker, Cassandra. */
final class InfraFaults {

  /** The broker that dies: any of the three will do; not the first, whose port leads the bootstrap list. */
  private static final int BROKER = 1;

  private InfraFaults() {}

  /** kill -9 of one of three brokers; with min.insync 2 the other two keep acking; started again after the hold. */
  static final class BrokerKill implements Fault {
    private final FaultTimings timings;

    BrokerKill(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "broker-kill";
    }

    @Override
    public String description() {
      return "kill -9 of one of 3 Kafka brokers (RF 3, min.insync 2), started again after the hold (10 s)";
    }

    @Override
    public void strike(ChaosCluster cluster, FaultLog log) throws Exception {
      log.injected("SIGKILL Kafka broker " + BROKER);
      cluster.kafka().killBroker(BROKER);
      Thread.sleep(timings.hold().toMillis()); // the fault's duration
      cluster.kafka().startBroker(BROKER);
      cluster.awaitWhole(timings.healTimeout());
      log.healed("Kafka broker " + BROKER + " started again, cluster whole");
    }
  }

  /** SIGTERM of Cassandra (it drains and flushes), started again after the hold. */
  static final class CassandraStop implements Fault {
    private final FaultTimings timings;

    CassandraStop(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "cassandra-stop";
    }

    @Override
    public String description() {
      return "SIGTERM of Cassandra, started again after the hold (10 s)";
    }

    @Override
    public void strike(ChaosCluster cluster, FaultLog log) throws Exception {
      log.injected("SIGTERM Cassandra");
      cluster.cassandra().stop();
      Thread.sleep(timings.hold().toMillis()); // the fault's duration
      cluster.cassandra().start();
      cluster.awaitWhole(timings.healTimeout());
      log.healed("Cassandra started again, cluster whole");
    }
  }

  /** kill -9 of Cassandra; with the batch commit log nothing it acknowledged is lost. Started again after the hold. */
  static final class CassandraKill implements Fault {
    private final FaultTimings timings;

    CassandraKill(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "cassandra-kill";
    }

    @Override
    public String description() {
      return "kill -9 of Cassandra (commit log batch), started again after the hold (10 s)";
    }

    @Override
    public void strike(ChaosCluster cluster, FaultLog log) throws Exception {
      log.injected("SIGKILL Cassandra");
      cluster.cassandra().kill();
      Thread.sleep(timings.hold().toMillis()); // the fault's duration
      cluster.cassandra().start();
      cluster.awaitWhole(timings.healTimeout());
      log.healed("Cassandra started again, cluster whole");
    }
  }
}
