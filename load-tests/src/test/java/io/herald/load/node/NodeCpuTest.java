package io.herald.load.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeCpuTest {

  @Test
  void addsUserAndSystemTicksOfAStatLine() {
    String line = "22042 (java) S 1 22038 19847 0 -1 4194304 117438 27663 0 0 1068 108 66 12 20 0 77 0 1052680 "
        + "9340325888 98960 18446744073709551615 0 0 0 0 0 0 0 3 16800972 0 0 0";

    assertEquals(1068 + 108, NodeCpu.cpuTicks(line), "utime (field 14) + stime (field 15); children's not counted");
  }

  @Test
  void countsFieldsFromTheLastParenthesisSoACommandNameWithSpacesDoesNotShiftThem() {
    String line = "7 (my (odd) name) R 1 7 7 0 -1 0 0 0 0 0 250 50 999 999 20 0 1 0 1 0 0";

    assertEquals(300, NodeCpu.cpuTicks(line));
  }

  @Test
  void refusesWhatIsNotAStatLine() {
    assertThrows(IllegalArgumentException.class, () -> NodeCpu.cpuTicks("no parenthesis here"));
    assertThrows(IllegalArgumentException.class, () -> NodeCpu.cpuTicks("1 (java) S 1 2"));
  }

  @Test
  void dividesCpuByFramesAndHasNoFigureWithoutFrames() {
    assertEquals(0.875, NodeCpu.perFrame(17_500, 20_000));
    assertNull(NodeCpu.perFrame(1_000, 0), "no frame acked: unknown, never 0");
  }

  @Test
  void readsThisVeryProcessAndRefusesOneThatIsNotThere() {
    var self = NodeCpu.of(ProcessHandle.current().pid());
    assertTrue(self.cpuMillis() > 0, "a running JVM has used CPU");

    assertThrows(IllegalArgumentException.class, () -> NodeCpu.of(0));
    // pid_max is at most 2^22 on Linux: no process has this id.
    assertThrows(NodeProcessException.class, () -> NodeCpu.of(Integer.MAX_VALUE));
  }

  @Test
  void findsThisJvmsCompilerThreadsAndTheirTimeIsPartOfTheProcesss() {
    var self = NodeCpu.of(ProcessHandle.current().pid());
    long compiler = self.compilerMillis();
    // JUnit and the classes before this test were compiled by C1 at least: its threads have used CPU.
    assertTrue(compiler > 0, "no CPU found in this JVM's compiler threads");
    assertTrue(compiler <= self.cpuMillis(), "the compiler's time is part of the process's");
    assertTrue(NodeCpu.isCompilerThread("C2 CompilerThre"));
    assertTrue(NodeCpu.isCompilerThread("C1 CompilerThre"));
    assertFalse(NodeCpu.isCompilerThread("herald-pekko.ac"));
  }
}
