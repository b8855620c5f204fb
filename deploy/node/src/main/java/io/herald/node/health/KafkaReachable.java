package io.herald.node.health;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.pekko.actor.ActorSystem;

/** Readiness: true when the Kafka cluster answers a describe-cluster call with at least one broker. */
public final class KafkaReachable implements Supplier<CompletionStage<Boolean>> {

  private static final int TIMEOUT_MS = 2_000;

  private final Admin admin;

  public KafkaReachable(ActorSystem system) {
    var config = system.settings().config();
    admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString("herald.kafka.bootstrap-servers"),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS));
    system.registerOnTermination(() -> admin.close(java.time.Duration.ofSeconds(1)));
  }

  @Override
  public CompletionStage<Boolean> get() {
    // Kafka's own futures refuse to be completed from outside, so the bound is applied to a future of our own.
    var reachable = new CompletableFuture<Boolean>();
    admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
        .whenComplete((nodes, failure) -> reachable.complete(failure == null && !nodes.isEmpty()));
    return reachable.completeOnTimeout(false, TIMEOUT_MS + 500L, TimeUnit.MILLISECONDS);
  }
}
