package io.herald.infra.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a child tells its live launcher from a process that took the launcher's pid. */
class ParentWatchTest {

    private final ProcessHandle self = ProcessHandle.current();

    @Test
    void aLauncherWhoseWallClockStartMovedIsStillTheLauncher() {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")), "start ticks come from Linux's /proc");
        long ticks = ParentWatch.startTicks(self.pid()).orElseThrow();
        long startMillis = self.info().startInstant().orElseThrow().toEpochMilli();

        // A VM paused and resumed moves the wall clock, and with it the start time a new JVM derives: by a minute here.
        assertTrue(ParentWatch.isSameProcessAlive(self, startMillis + 60_000, ticks));
        assertFalse(ParentWatch.isSameProcessAlive(self, startMillis + 60_000, null),
                "without the ticks, a minute's shift reads as another process: what made restarted children exit");
    }

    @Test
    void anotherProcessOnTheSamePidStartedAtAnotherTick() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")), "start ticks come from Linux's /proc");
        Process later = new ProcessBuilder("sleep", "5").start();
        try {
            long launcherTicks = ParentWatch.startTicks(self.pid()).orElseThrow();
            assertEquals(launcherTicks, ParentWatch.startTicks(self.pid()).orElseThrow(), "read twice, the same");
            assertNotEquals(launcherTicks, ParentWatch.startTicks(later.pid()).orElseThrow());
            assertFalse(ParentWatch.isSameProcessAlive(later.toHandle(), null, launcherTicks),
                    "a process started later is not the launcher, whatever its pid");
        } finally {
            later.destroy();
            later.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessThatEndedIsGone() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor(5, TimeUnit.SECONDS);
        assertFalse(ParentWatch.isSameProcessAlive(ended.toHandle(), null, null));
        assertTrue(ParentWatch.startTicks(ended.pid()).isEmpty() || !ended.toHandle().isAlive());
    }
}
