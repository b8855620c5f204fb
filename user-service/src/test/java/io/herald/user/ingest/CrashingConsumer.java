package io.herald.user.ingest;

import java.util.Map;

/**
 * The ingest pipeline in a JVM of its own, for ConsumerRestartTest to kill: it never commits on its own (the batch
 * interval is an hour) and says when the watched device has records applied.
 * Arguments: bootstrap servers, Cassandra contact point, data centre, topic, group, device to watch.
 */
public final class CrashingConsumer {

  static final String APPLIED = "applied ";

  private CrashingConsumer() {}

  public static void main(String[] args) throws Exception {
    var system = IngestTestNodes.start(args[0], args[1], args[2], args[3], args[4], null, Map.of(
        "herald.user.ingest.commit.max-interval", "1h",
        "herald.user.ingest.commit.max-batch", 1_000_000));
    while (true) {
      var applied = IngestTestNodes.telemetryCount(system, args[5]);
      if (applied > 0) {
        System.out.println(APPLIED + applied);
        System.out.flush();
      }
      Thread.sleep(100);
    }
  }
}
