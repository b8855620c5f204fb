package io.herald.load.report;

/**
 * What the {@code recovery} scenario measured: one Device entity given {@code events} events, passivated, then asked.
 *
 * @param deviceId the device (its entity is {@code Device|deviceId})
 * @param events frames offered, each one telemetry event
 * @param acked frames acked (the rest were refused or given up: counted, not resent)
 * @param writeS seconds from the first send to the last answer
 * @param applied ingress records the node applied meanwhile ({@code herald_ingest_records_total{outcome="applied"}}),
 *     waited for until it reached {@code acked}
 * @param passivationWaitS seconds from the last event applied until the node had no Device entity left
 * @param firstAnswerMs the first shadow read after passivation: request sent to response read, the entity's
 *     recovery included
 * @param firstAnswerStatus its HTTP status (200, or 503 when the entity did not answer within the gateway's ask
 *     timeout)
 * @param firstAnswerStale whether the gateway served a kept answer instead of the entity's
 * @param warmAnswerMs the same read right after, the entity alive: what recovery adds is the difference
 * @param targetMs the figure to beat
 */
public record RecoveryReport(String deviceId, long events, long acked, double writeS, long applied,
    double passivationWaitS, double firstAnswerMs, int firstAnswerStatus, boolean firstAnswerStale,
    double warmAnswerMs, double targetMs) {

  /** The entity answered itself, fresh, within the target. */
  public boolean met() {
    return firstAnswerStatus == 200 && !firstAnswerStale && firstAnswerMs <= targetMs;
  }

  public double writeRatePerS() {
    return writeS > 0 ? Math.round(acked / writeS * 10) / 10.0 : 0;
  }

  String json() {
    return new Json().begin()
        .field("scenario", "recovery")
        .field("device_id", deviceId)
        .field("events", events)
        .field("acked", acked)
        .field("write_s", writeS)
        .field("write_rate_per_s", writeRatePerS())
        .field("applied", applied)
        .field("passivation_wait_s", passivationWaitS)
        .field("time_to_first_answer_ms", firstAnswerMs)
        .field("first_answer_status", firstAnswerStatus)
        .field("first_answer_stale", firstAnswerStale)
        .field("warm_answer_ms", warmAnswerMs)
        .field("target_ms", targetMs)
        .field("met", met())
        .end().toString();
  }

  String html() {
    var page = new StringBuilder(ReportPage.head("recovery"));
    page.append("<p class=\"").append(met() ? "good\">Met" : "bad\">Not met").append(": the first answer after "
        + "passivation took ").append(Json.number(firstAnswerMs)).append(" ms (target ≤ ")
        .append(Json.number(targetMs)).append(" ms).</p>\n<table>\n");
    ReportPage.row(page, "device", ReportPage.escape(deviceId));
    ReportPage.row(page, "events offered / acked / applied by the node", events + " / " + acked + " / " + applied);
    ReportPage.row(page, "writing (s) / rate (acks/s)", Json.number(writeS) + " / " + Json.number(writeRatePerS()));
    ReportPage.row(page, "waited for passivation (s)", Json.number(passivationWaitS));
    ReportPage.row(page, "time to first answer (ms), recovery included", Json.number(firstAnswerMs));
    ReportPage.row(page, "first answer: HTTP status / stale", firstAnswerStatus + " / " + firstAnswerStale);
    ReportPage.row(page, "the same read, entity alive (ms)", Json.number(warmAnswerMs));
    return page.append("</table>\n</body></html>\n").toString();
  }
}
