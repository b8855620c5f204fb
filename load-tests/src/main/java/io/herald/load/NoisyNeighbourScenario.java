package io.herald.load;

import io.herald.load.node.MachineLoad;
import io.herald.load.report.NoisyNeighbourReport;
import io.herald.load.report.ReportExtras;
import io.herald.load.report.ReportWriter;
import io.herald.load.sim.DaemonThreads;
import io.herald.load.sim.HostileUser;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * Noisy neighbour (issue 14): the steady load of {@code --users} devices twice, alone ({@code DIR/alone}) and then
 * while one more user and a peer it controls fill every budget a client can reach ({@code DIR/noisy}, the hostile
 * user's rounds from the first offer until the last ack of the others). The figures: the others' send→ack p50/p99 (and
 * send→push with chat in the mix) in both phases and the ratio of the p99s, the checker's verdicts of both phases, and
 * the hostile user's answers by kind. Exit status as for {@code steady}: the invariants of both phases.
 */
final class NoisyNeighbourScenario {

  private NoisyNeighbourScenario() {}

  static ScenarioResult run(ScenarioPlan plan, PrintStream progress) throws IOException {
    ScenarioSettings settings = plan.settings();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String loadBefore = MachineLoad.average();
    var scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("herald-load-hostile"));
    var httpThreads = Executors.newFixedThreadPool(2, DaemonThreads.named("herald-load-hostile-http"));
    var http = HttpClient.newBuilder().executor(httpThreads).build();
    try (var hostile = HostileUser.connect(run, plan.hostile(), settings.url(), settings.jwtSecret(),
        settings.workDirectory().resolve("hostile-" + run), scheduler, http,
        device -> RecoveryScenario.shadowUri(settings.url(), device),
        conversation -> RecoveryScenario.restUri(settings.url(), "/v1/conversations/" + conversation + "/messages"))) {
      say(settings, progress, "phase 1 of 2: %d devices alone", settings.devices());
      ScenarioResult alone = Scenarios.steady(phase(settings, "alone"), plan.mix(), progress, ReportExtras.NONE);

      say(settings, progress, "phase 2 of 2: the same beside a user filling its budgets (%s)", plan.hostile());
      var filling = new FillingWhileOffered(hostile);
      ScenarioResult noisy = Scenarios.steady(phase(settings, "noisy"), plan.mix(), progress, ReportExtras.NONE,
          filling);

      var report = new NoisyNeighbourReport(alone.summary(), noisy.summary(), filling.answers, loadBefore,
          MachineLoad.average());
      ReportWriter.write(settings.reportDirectory(), report);
      say(settings, progress, "send->ack p99 %.2f ms alone, %.2f ms beside the hostile user: ratio %s | hostile "
              + "answers %s | lost %d, duplicates %d, out of order %d | report in %s",
          alone.summary().latencyMs().p99(), noisy.summary().latencyMs().p99(), report.p99Ratio(),
          filling.answers.answers(), report.lost(), report.duplicates(), report.outOfOrder(),
          settings.reportDirectory().toAbsolutePath());
      var phases = List.of(alone, noisy);
      return new ScenarioResult(CombinedRuns.summary("noisy-neighbour", noisy, phases), CombinedRuns.check(phases),
          settings.reportDirectory());
    } finally {
      scheduler.shutdownNow();
      httpThreads.shutdownNow();
    }
  }

  /** The hostile user fills its budgets from the others' first offer until their last ack. */
  private static final class FillingWhileOffered implements RunExtras {
    private final HostileUser hostile;
    private NoisyNeighbourReport.Hostile answers;

    FillingWhileOffered(HostileUser hostile) {
      this.hostile = hostile;
    }

    @Override
    public void offeringStarted(long startedNanos) {
      hostile.startFilling();
    }

    @Override
    public void offeringEnded() {
      try {
        answers = hostile.stop();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static ScenarioSettings phase(ScenarioSettings base, String name) {
    return new ScenarioSettings("noisy-neighbour", base.url(), base.jwtSecret(), base.devices(), base.ratePerSecond(),
        base.duration(), base.cassandra(), base.localDatacenter(), base.keyspace(),
        base.reportDirectory().resolve(name), base.workDirectory().resolve(name), base.maxInFlightPerDevice(),
        base.connectTimeout(), base.drainTimeout(), base.settleTimeout(), base.printProgress());
  }

  private static void say(ScenarioSettings settings, PrintStream progress, String format, Object... args) {
    if (settings.printProgress()) {
      progress.println("[noisy-neighbour] " + String.format(Locale.ROOT, format, args));
    }
  }
}
