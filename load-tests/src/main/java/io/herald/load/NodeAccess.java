package io.herald.load;

import io.herald.load.node.NodeCpu;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How the run reaches the node itself, beyond its device endpoints: its process (CPU time).
 *
 * @param pid the node's JVM process; empty: CPU per frame is not measured
 */
public record NodeAccess(OptionalLong pid) {

  public static final NodeAccess DEFAULT = new NodeAccess(OptionalLong.empty());

  public NodeAccess {
    Objects.requireNonNull(pid, "pid");
  }

  /** The node's CPU meter, when its pid is known; reads it once (a wrong pid fails here, before the load). */
  public Optional<NodeCpu> cpu() {
    return pid.isPresent() ? Optional.of(NodeCpu.of(pid.getAsLong())) : Optional.empty();
  }
}
