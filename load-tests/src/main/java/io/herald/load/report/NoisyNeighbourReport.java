package io.herald.load.report;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the {@code noisy-neighbour} scenario measured: the same steady load of the other users alone and then beside one
 * user filling every budget it can reach, and how that user was answered.
 *
 * @param alone the others' run without the hostile user
 * @param noisy the same load while the hostile user fills its budgets
 * @param hostile what the hostile user sent and how each overflow was answered
 * @param loadAverageBefore this machine's 1-, 5- and 15-minute load averages before the first phase
 * @param loadAverageAfter the same after the second phase
 */
public record NoisyNeighbourReport(RunSummary alone, RunSummary noisy, Hostile hostile, String loadAverageBefore,
    String loadAverageAfter) {

  /**
   * The hostile user's side.
   *
   * @param rounds rounds it ran (each fills every budget again, with new keys, messages and ids)
   * @param framesSent frames its devices and its peer's sent
   * @param framesAcked of them, acked (durable in Kafka; an entity may still refuse one, by push.rejected)
   * @param reads REST reads it sent
   * @param answers the refusals and the one eviction it can see, by kind: {@code nack CODE} (the gateway),
   *     {@code rejected CODE} (push.rejected of an entity, once per message), {@code http STATUS} (REST),
   *     {@code welcome pushes_missed} (a device resuming from 0 after its outbox dropped its oldest pushes)
   */
  public record Hostile(long rounds, long framesSent, long framesAcked, long reads, Map<String, Long> answers) {
    public Hostile {
      answers = Map.copyOf(answers);
    }
  }

  /** The others' send→ack p99 beside the hostile user ÷ alone; {@code null} when the first phase acked nothing. */
  public Double p99Ratio() {
    return ratio(alone.latencyMs(), noisy.latencyMs());
  }

  /** The same for the chat pushes' send→push p99; {@code null} without chat in the mix. */
  public Double pushP99Ratio() {
    return alone.pushLatencyMs() == null || noisy.pushLatencyMs() == null ? null
        : ratio(alone.pushLatencyMs(), noisy.pushLatencyMs());
  }

  private static Double ratio(LatencyMs before, LatencyMs after) {
    return before.p99() > 0 ? Math.round(after.p99() / before.p99() * 100) / 100.0 : null;
  }

  public long lost() {
    return alone.lost() + noisy.lost();
  }

  public long duplicates() {
    return alone.duplicates() + noisy.duplicates();
  }

  public long outOfOrder() {
    return alone.outOfOrder() + noisy.outOfOrder();
  }

  String json() {
    var json = new Json().begin()
        .field("scenario", "noisy-neighbour")
        .nullableNumber("p99_ratio", p99Ratio())
        .nullableNumber("push_p99_ratio", pushP99Ratio())
        .field("lost", lost())
        .field("duplicates", duplicates())
        .field("out_of_order", outOfOrder())
        .array("phases");
    for (var phase : List.of(alone, noisy)) {
      json.element()
          .field("phase", phase == alone ? "alone" : "noisy")
          .field("devices", phase.devices())
          .field("rate_target", phase.rateTarget())
          .field("duration_s", phase.durationS())
          .field("sent", phase.sent())
          .field("acked", phase.acked())
          .field("nacked_by_code", phase.nackedByCode())
          .field("throughput_per_s", phase.throughputPerS())
          .field("latency_ms", phase.latencyMs());
      if (phase.pushLatencyMs() != null) {
        json.field("push_latency_ms", phase.pushLatencyMs());
      } else {
        json.nullableNumber("push_latency_ms", null);
      }
      json.field("delivered", phase.delivered())
          .field("lost", phase.lost())
          .field("duplicates", phase.duplicates())
          .field("out_of_order", phase.outOfOrder())
          .field("push_gaps", phase.pushGaps())
          .field("push_duplicates", phase.pushDuplicates())
          .end();
    }
    return json.endArray()
        .object("hostile")
        .field("rounds", hostile.rounds())
        .field("frames_sent", hostile.framesSent())
        .field("frames_acked", hostile.framesAcked())
        .field("reads", hostile.reads())
        .field("answers", hostile.answers())
        .end()
        .field("load_average_before", loadAverageBefore)
        .field("load_average_after", loadAverageAfter)
        .end().toString();
  }

  String html() {
    var page = new StringBuilder(ReportPage.head("noisy-neighbour"));
    Double ratio = p99Ratio();
    page.append("<p>The others' send&rarr;ack p99 beside the hostile user ÷ alone: <b>")
        .append(ratio == null ? "none (the first phase acked nothing)" : Json.number(ratio)).append("</b>; chat push "
            + "p99: <b>").append(pushP99Ratio() == null ? "not measured (no chat in the mix)" : Json.number(pushP99Ratio()))
        .append("</b>. Lost ").append(lost()).append(", duplicates ").append(duplicates()).append(", out of order ")
        .append(outOfOrder()).append(". Load average before ").append(ReportPage.escape(loadAverageBefore))
        .append(", after ").append(ReportPage.escape(loadAverageAfter)).append(".</p>\n")
        .append("<table><tr><th></th><th>alone</th><th>beside the hostile user</th></tr>\n");
    row(page, "devices × offered (/s) × seconds", p -> p.devices() + " × " + Json.number(p.rateTarget()) + " × "
        + Json.number(p.durationS()));
    row(page, "sent / acked / nacked", p -> p.sent() + " / " + p.acked() + " / " + p.nackedByCode());
    row(page, "send&rarr;ack p50 / p99 / max (ms)", p -> Json.number(p.latencyMs().p50()) + " / "
        + Json.number(p.latencyMs().p99()) + " / " + Json.number(p.latencyMs().max()));
    row(page, "send&rarr;push p50 / p99 / max (ms)", p -> p.pushLatencyMs() == null ? "no chat" : Json.number(
        p.pushLatencyMs().p50()) + " / " + Json.number(p.pushLatencyMs().p99()) + " / "
        + Json.number(p.pushLatencyMs().max()));
    row(page, "lost / duplicates / out of order / push gaps", p -> p.lost() + " / " + p.duplicates() + " / "
        + p.outOfOrder() + " / " + p.pushGaps());
    page.append("</table>\n<h2>The hostile user</h2>\n<p>").append(hostile.rounds()).append(" rounds, ")
        .append(hostile.framesSent()).append(" frames sent, ").append(hostile.framesAcked()).append(" acked, ")
        .append(hostile.reads()).append(" REST reads.</p>\n<table><tr><th>answer</th><th>count</th></tr>\n");
    new java.util.TreeMap<>(hostile.answers()).forEach((kind, count) ->
        ReportPage.row(page, ReportPage.escape(kind), String.valueOf(count)));
    return page.append("</table>\n<p>Each phase's own report: <a href=\"alone/report.html\">alone</a>, "
        + "<a href=\"noisy/report.html\">beside the hostile user</a>.</p>\n</body></html>\n").toString();
  }

  private void row(StringBuilder page, String name, Function<RunSummary, String> value) {
    page.append("<tr><th>").append(name).append("</th>");
    for (var phase : List.of(alone, noisy)) {
      page.append("<td>").append(ReportPage.escape(value.apply(phase))).append("</td>");
    }
    page.append("</tr>\n");
  }
}
