package io.herald.load.report;

import io.herald.protocol.device.v1.NackCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Live counters and latencies of a run, recorded from many client threads, sampled once a second into a timeline
 * (for the report's plots) and a progress line.
 */
public final class RunMetrics {

  /** Latencies above this are clamped (an hour, in microseconds): a histogram must have a bound. */
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private final LongAdder sent = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder nacked = new LongAdder();
  private final LongAdder pushed = new LongAdder();
  private final LongAdder outboxFull = new LongAdder();
  private final LongAdder clientStopped = new LongAdder();
  private final Map<NackCode, LongAdder> nacksByCode = new ConcurrentHashMap<>();
  private final Recorder latencyMicros = new Recorder(HIGHEST_MICROS, 3);
  // A chat message's send (by its sender's client) to its push at another member's client.
  private final Recorder pushLatencyMicros = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram pushTotal = new Histogram(HIGHEST_MICROS, 3);
  private Histogram pushInterval;
  // An attempt's send to the nack that answered it: how long Herald took to refuse.
  private final Recorder nackLatencyMicros = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram nackTotal = new Histogram(HIGHEST_MICROS, 3);
  private Histogram nackInterval;
  private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
  private final List<TimelineSample> timeline = new ArrayList<>();
  private Histogram interval;
  private long sentAtLastSample;
  private long ackedAtLastSample;
  private long nackedAtLastSample;
  private long pushedAtLastSample;

  public void sent() {
    sent.increment();
  }

  public void outboxFull() {
    outboxFull.increment();
  }

  public void clientStopped() {
    clientStopped.increment();
  }

  public void acked(long latencyNanos) {
    acked.increment();
    latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos))));
  }

  public void pushed(long latencyNanos) {
    pushed.increment();
    pushLatencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos))));
  }

  public void nackLatency(long sinceSentNanos) {
    nackLatencyMicros.recordValue(
        Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(sinceSentNanos))));
  }

  public void nacked(NackCode code) {
    nacked.increment();
    nacksByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Closes one second of the timeline; call once a second from one thread. */
  public synchronized TimelineSample sample() {
    interval = latencyMicros.getIntervalHistogram(interval);
    total.add(interval);
    long sentNow = sent.sum();
    long ackedNow = acked.sum();
    long nackedNow = nacked.sum();
    long pushedNow = pushed.sum();
    LatencyMs second = LatencyMs.ofMicros(interval);
    var sample = new TimelineSample(timeline.size() + 1, sentNow - sentAtLastSample, ackedNow - ackedAtLastSample,
        nackedNow - nackedAtLastSample, second.p50(), second.p99(), pushedNow - pushedAtLastSample);
    sentAtLastSample = sentNow;
    ackedAtLastSample = ackedNow;
    nackedAtLastSample = nackedNow;
    pushedAtLastSample = pushedNow;
    timeline.add(sample);
    return sample;
  }

  /** A one-line status for the console. */
  public synchronized String progressLine(TimelineSample last, long inFlight, int ofSeconds) {
    String phase = last.second() <= ofSeconds
        ? String.format(Locale.ROOT, "%3d/%ds", last.second(), ofSeconds)
        : String.format(Locale.ROOT, "%3ds, draining", last.second());
    return String.format(Locale.ROOT, "[%s] sent %d acked %d nacked %d in-flight %d | last second: %d acks, p99 %s ms",
        phase, sent.sum(), acked.sum(), nacked.sum(), inFlight, last.acked(), Json.number(last.p99Ms()));
  }

  public long sentCount() {
    return sent.sum();
  }

  public long ackedCount() {
    return acked.sum();
  }

  public long outboxFullCount() {
    return outboxFull.sum();
  }

  public long clientStoppedCount() {
    return clientStopped.sum();
  }

  public Map<String, Long> nacksByCode() {
    var counts = new TreeMap<String, Long>();
    nacksByCode.forEach((code, count) -> counts.put(code.name(), count.sum()));
    return counts;
  }

  /** Send-to-ack latency over the whole run (samples taken so far, plus what is recorded since). */
  public synchronized LatencyMs latency() {
    interval = latencyMicros.getIntervalHistogram(interval);
    total.add(interval);
    return LatencyMs.ofMicros(total);
  }

  /** Send-to-ack latency over the whole run, every percentile of it (for the report's distribution plot). */
  public synchronized LatencyDistribution latencyDistribution() {
    interval = latencyMicros.getIntervalHistogram(interval);
    total.add(interval);
    return LatencyDistribution.of(total);
  }

  /** Send-to-push latency of chat messages at the other members, or empty when no chat message was pushed. */
  public synchronized java.util.Optional<LatencyMs> pushLatency() {
    pushInterval = pushLatencyMicros.getIntervalHistogram(pushInterval);
    pushTotal.add(pushInterval);
    return pushTotal.getTotalCount() == 0 ? java.util.Optional.empty() : java.util.Optional.of(LatencyMs.ofMicros(pushTotal));
  }

  /** An attempt's send to the nack that answered it, or empty when no attempt was nacked. */
  public synchronized java.util.Optional<LatencyMs> nackLatency() {
    nackInterval = nackLatencyMicros.getIntervalHistogram(nackInterval);
    nackTotal.add(nackInterval);
    return nackTotal.getTotalCount() == 0 ? java.util.Optional.empty() : java.util.Optional.of(LatencyMs.ofMicros(nackTotal));
  }

  public synchronized List<TimelineSample> timeline() {
    return List.copyOf(timeline);
  }
}
