package io.herald.load;

import io.herald.load.node.NodeCpu;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How the run reaches the node itself, beyond its device endpoints: its process (CPU time, a GC before a heap
 * reading) and its management port ({@code /metrics}, {@code /cluster/shards/TYPE}).
 *
 * @param pid the node's JVM process; empty: CPU per frame and heap per entity are not measured
 * @param management the management port's base URL, this machine only
 * @param coap the CoAP endpoint ({@code coap://host:port}) the {@code scale} scenario's devices post to
 */
public record NodeAccess(OptionalLong pid, URI management, URI coap) {

  public static final NodeAccess DEFAULT = new NodeAccess(OptionalLong.empty(),
      URI.create("http://127.0.0.1:8558"), URI.create("coap://127.0.0.1:5683"));

  public NodeAccess {
    Objects.requireNonNull(pid, "pid");
    LocalTargets.requireLocal(management);
    LocalTargets.requireLocal(coap);
  }

  /** The node's CPU meter, when its pid is known; reads it once (a wrong pid fails here, before the load). */
  public Optional<NodeCpu> cpu() {
    return pid.isPresent() ? Optional.of(NodeCpu.of(pid.getAsLong())) : Optional.empty();
  }
}
