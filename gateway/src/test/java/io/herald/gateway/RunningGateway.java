package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.herald.gateway.downlink.UserEntities;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A gateway under test on a plain ActorSystem of its own (TestConfigs.gateway); close stops both. */
final class RunningGateway implements AutoCloseable {

  final ActorSystem<Void> system;
  final Gateway gateway;

  private RunningGateway(ActorSystem<Void> system, Gateway gateway) {
    this.system = system;
    this.gateway = gateway;
  }

  static RunningGateway start(String name, Map<String, ?> settings) {
    return start(name, settings, UserEntities.none());
  }

  static RunningGateway start(String name, Map<String, ?> settings, UserEntities userEntities) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, TestConfigs.gateway(settings));
    return new RunningGateway(system,
        Gateway.start(system, system.settings().config(), userEntities, new OwnerInDeviceId()));
  }

  /** The bound WebSocket/HTTP port, once bound. */
  int httpPort() throws Exception {
    return gateway.binding().toCompletableFuture().get(10, SECONDS).localAddress().getPort();
  }

  int coapPort() throws Exception {
    gateway.binding().toCompletableFuture().get(10, SECONDS);
    return gateway.coapPort().orElseThrow();
  }

  @Override
  public void close() throws Exception {
    gateway.close().toCompletableFuture().get(20, SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(20, SECONDS);
  }
}
