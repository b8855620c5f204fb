package io.herald.load.report;

/**
 * One ramp step as the report shows it.
 *
 * @param step from 1
 * @param rateTarget offered frames per second
 * @param throughputPerS acks per second from the step's first offer to its last ack
 * @param offered arrivals the schedule produced
 * @param acked frames acked
 * @param latencyMs send→ack of the step's acked frames
 * @param passed whether the step met the ramp's criteria
 * @param failure why it did not ({@code ""} when it passed)
 * @param cpuMsPerFrame the node's CPU time per acked frame; {@code null} when not measured (no node pid)
 * @param jitCpuMsPerFrame the part of {@code cpuMsPerFrame} its JIT compiler threads used; {@code null} likewise
 */
public record StepRow(int step, double rateTarget, double throughputPerS, long offered, long acked,
    LatencyMs latencyMs, boolean passed, String failure, Double cpuMsPerFrame, Double jitCpuMsPerFrame) {}
