package io.herald.load.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A run's send-to-ack latency at every percentile (HdrHistogram's percentile distribution, recorded in microseconds):
 * written as {@code latency.hgrm} (HdrHistogram's own text format, values in milliseconds, which its plotters read)
 * and plotted in report.html as latency against percentile on a log scale of 1/(1-p), where the tail shows.
 */
public final class LatencyDistribution {

  /** Reporting steps per halving of the distance to 100 %: HdrHistogram's usual resolution. */
  private static final int TICKS_PER_HALF_DISTANCE = 5;
  private static final double MICROS_PER_MS = 1000.0;

  private final Histogram micros;

  private LatencyDistribution(Histogram micros) {
    this.micros = micros;
  }

  /** A copy of {@code micros} as it is now. */
  public static LatencyDistribution of(Histogram micros) {
    return new LatencyDistribution(micros.copy());
  }

  public boolean isEmpty() {
    return micros.getTotalCount() == 0;
  }

  /** One point of the distribution: the latency below which {@code percentile} % of the frames were acked. */
  public record Point(double percentile, double latencyMs) {}

  /** The distribution's points, by rising percentile, the last at 100 % (the maximum). */
  public List<Point> points() {
    var points = new ArrayList<Point>();
    if (isEmpty()) {
      return points;
    }
    for (HistogramIterationValue value : micros.percentiles(TICKS_PER_HALF_DISTANCE)) {
      points.add(new Point(value.getPercentileLevelIteratedTo(),
          micros.highestEquivalentValue(value.getValueIteratedTo()) / MICROS_PER_MS));
    }
    return points;
  }

  public long count() {
    return micros.getTotalCount();
  }

  /** Writes HdrHistogram's percentile distribution (values in ms) to {@code file}. */
  void writeHgrm(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        var print = new PrintStream(out, false, StandardCharsets.UTF_8)) {
      micros.outputPercentileDistribution(print, TICKS_PER_HALF_DISTANCE, MICROS_PER_MS);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "LatencyDistribution[%d frames]", count());
  }
}
