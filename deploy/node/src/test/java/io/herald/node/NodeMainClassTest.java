package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.infra.nodes.NodeProcesses;
import io.herald.node.cli.Herald;
import org.junit.jupiter.api.Test;

/** The node launcher in herald-infra names the main class by string: this keeps the string and the class together. */
class NodeMainClassTest {

  @Test
  void theLauncherNamesTheNodesMainClass() {
    assertEquals(Herald.class.getName(), NodeProcesses.MAIN_CLASS);
  }
}
