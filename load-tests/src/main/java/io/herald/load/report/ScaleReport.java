package io.herald.load.report;

import java.util.List;
import java.util.Map;

/**
 * What the {@code scale} scenario measured: the same offered rate over few and over many distinct devices.
 *
 * @param phases the few-devices phase first, then the many-devices one
 * @param baselines raw Kafka and raw Cassandra measured first, in the same run ({@link BaselineComparison#NOT_MEASURED}
 *     without {@code --kafka})
 * @param targetRatio the many-devices phase's acked rate ÷ the few-devices phase's should reach this
 */
public record ScaleReport(List<Phase> phases, BaselineComparison baselines, double targetRatio) {

  public ScaleReport {
    phases = List.copyOf(phases);
    if (phases.size() != 2) {
      throw new IllegalArgumentException("a scale run has two phases, got " + phases.size());
    }
  }

  /**
   * One phase.
   *
   * @param devices distinct devices the arrivals go round robin over
   * @param devicesTouched distinct devices that sent at least one frame, at most: min(devices, sent), exact when
   *     devices ≥ sent (each device then sends once); fewer than {@code devices} when the phase sends fewer frames
   * @param rateTarget offered frames per second
   * @param durationS seconds of offering
   * @param sent frames posted
   * @param skipped arrivals not posted because the in-flight bound was reached
   * @param acked frames acked (durable in Kafka)
   * @param nackedByCode frames refused, by code
   * @param failed requests without a usable answer within the bound
   * @param ackedPerS acks per second from the first offer to the last answer
   * @param latencyMs send→ack of the acked frames
   * @param applied ingress records the node applied during the phase (its {@code herald_ingest_records_total}),
   *     waited for until it reached {@code acked} or the settle bound passed
   * @param entitiesBefore Device and User entities alive on the node before the phase
   * @param entitiesAfter the same at the phase's end
   * @param heapUsedBeforeBytes the node's heap in use after a GC before the phase ({@code null}: not measured)
   * @param heapUsedAfterBytes the same at the phase's end, its entities still alive
   */
  public record Phase(int devices, long devicesTouched, double rateTarget, double durationS, long sent, long skipped,
      long acked, Map<String, Long> nackedByCode, long failed, double ackedPerS, LatencyMs latencyMs, long applied,
      long entitiesBefore, long entitiesAfter, Long heapUsedBeforeBytes, Long heapUsedAfterBytes) {

    public Phase {
      nackedByCode = Map.copyOf(nackedByCode);
    }

    /**
     * Heap the phase added ÷ entities it added; {@code null} when the heap was not measured or no entity was added.
     * Not the entities' alone: the heap the phase added also holds what the node keeps per request for a while
     * (Californium's deduplicator keeps each CoAP exchange for its lifetime, 247 s), less what it released of the
     * previous phase's.
     */
    public Double heapPerEntityBytes() {
      if (heapUsedBeforeBytes == null || heapUsedAfterBytes == null || entitiesAfter <= entitiesBefore) {
        return null;
      }
      double perEntity = (heapUsedAfterBytes - heapUsedBeforeBytes) / (double) (entitiesAfter - entitiesBefore);
      return (double) Math.round(perEntity);
    }
  }

  /** Many devices' acked rate ÷ few devices'; {@code null} when the few-devices phase acked nothing. */
  public Double ratio() {
    double few = phases.get(0).ackedPerS();
    return few > 0 ? Math.round(phases.get(1).ackedPerS() / few * 1000) / 1000.0 : null;
  }

  public boolean met() {
    return ratio() != null && ratio() >= targetRatio;
  }

  String json() {
    var json = new Json().begin()
        .field("scenario", "scale")
        .nullableNumber("ratio", ratio())
        .field("target_ratio", targetRatio)
        .field("met", met())
        .array("phases");
    for (Phase p : phases) {
      json.element()
          .field("devices", p.devices())
          .field("devices_touched", p.devicesTouched())
          .field("rate_target", p.rateTarget())
          .field("duration_s", p.durationS())
          .field("sent", p.sent())
          .field("skipped_in_flight_bound", p.skipped())
          .field("acked", p.acked())
          .field("nacked_by_code", p.nackedByCode())
          .field("failed", p.failed())
          .field("acked_per_s", p.ackedPerS())
          .nullableNumber("ratio_to_raw_kafka", baselines.ratioToRawKafka(p.ackedPerS()))
          .nullableNumber("ratio_to_raw_cassandra", baselines.ratioToRawCassandra(p.ackedPerS()))
          .field("latency_ms", p.latencyMs())
          .field("applied", p.applied())
          .field("entities_before", p.entitiesBefore())
          .field("entities_after", p.entitiesAfter())
          .nullableNumber("heap_used_before_bytes", p.heapUsedBeforeBytes() == null ? null
              : p.heapUsedBeforeBytes().doubleValue())
          .nullableNumber("heap_used_after_bytes", p.heapUsedAfterBytes() == null ? null
              : p.heapUsedAfterBytes().doubleValue())
          .nullableNumber("heap_per_entity_bytes", p.heapPerEntityBytes())
          .end();
    }
    json.endArray().object("baselines");
    for (var baseline : new io.herald.load.baseline.BaselineResult[] {baselines.rawKafka(), baselines.rawCassandra()}) {
      if (baseline != null) {
        json.object(baseline.name()).field("rate_per_s", baseline.ratePerS()).field("latency_ms", baseline.latencyMs())
            .end();
      }
    }
    return json.end().end().toString();
  }

  String html() {
    var page = new StringBuilder(ReportPage.head("scale"));
    Double ratio = ratio();
    page.append("<p class=\"").append(met() ? "good" : "bad").append("\">Acked rate over ")
        .append(phases.get(1).devices()).append(" devices ÷ over ").append(phases.get(0).devices()).append(": <b>")
        .append(ratio == null ? "none (the first phase acked nothing)" : Json.number(ratio)).append("</b> (target ≥ ")
        .append(Json.number(targetRatio)).append(").</p>\n<table><tr><th></th>");
    for (Phase p : phases) {
      page.append("<th>").append(p.devices()).append(" devices</th>");
    }
    page.append("</tr>\n");
    row(page, "devices that sent a frame (at most)", p -> String.valueOf(p.devicesTouched()));
    row(page, "offered (/s) × seconds", p -> Json.number(p.rateTarget()) + " × " + Json.number(p.durationS()));
    row(page, "sent / skipped (in-flight bound)", p -> p.sent() + " / " + p.skipped());
    row(page, "acked / nacked / failed", p -> p.acked() + " / " + p.nackedByCode() + " / " + p.failed());
    row(page, "acked per second", p -> Json.number(p.ackedPerS()));
    row(page, "÷ raw Kafka / raw Cassandra", p -> ratioText(baselines.ratioToRawKafka(p.ackedPerS())) + " / "
        + ratioText(baselines.ratioToRawCassandra(p.ackedPerS())));
    row(page, "send&rarr;ack p50 / p99 / max (ms)", p -> Json.number(p.latencyMs().p50()) + " / "
        + Json.number(p.latencyMs().p99()) + " / " + Json.number(p.latencyMs().max()));
    row(page, "applied by the node", p -> String.valueOf(p.applied()));
    row(page, "Device + User entities before → after", p -> p.entitiesBefore() + " → " + p.entitiesAfter());
    row(page, "heap used after GC, before → after (MB)", p -> p.heapUsedBeforeBytes() == null
        ? "not measured (needs --node-pid)"
        : Json.number(p.heapUsedBeforeBytes() / 1e6) + " → " + Json.number(p.heapUsedAfterBytes() / 1e6));
    row(page, "heap added ÷ entities added (bytes; per-request memory included)", p -> p.heapPerEntityBytes() == null ? "not measured"
        : Json.number(p.heapPerEntityBytes()));
    return page.append("</table>\n</body></html>\n").toString();
  }

  private void row(StringBuilder page, String name, java.util.function.Function<Phase, String> value) {
    page.append("<tr><th>").append(name).append("</th>");
    for (Phase p : phases) {
      page.append("<td>").append(ReportPage.escape(value.apply(p))).append("</td>");
    }
    page.append("</tr>\n");
  }

  private static String ratioText(Double ratio) {
    return ratio == null ? "not measured" : Json.number(ratio);
  }
}
