package io.herald.load.report;

/**
 * An overload run as the report shows it.
 *
 * @param overloadFactor offered rate ÷ saturation rate
 * @param saturationRate the saturation rate it is a multiple of
 * @param saturationFrom {@code "given"} ({@code --saturation-rate}) or {@code "ramp"} (measured first in this run)
 * @param offeredRate frames per second offered
 */
public record OverloadReport(double overloadFactor, double saturationRate, String saturationFrom,
    double offeredRate) {}
