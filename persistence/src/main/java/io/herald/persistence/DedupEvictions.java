package io.herald.persistence;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;

/**
 * Ids a {@link DedupWindow} forgot by count before their resend horizon (herald.dedup.evicted.early, by entity type,
 * with their age in seconds): each one is an id a client may still resend within the documented horizon, which would
 * then be applied again. Non-zero means the entity's dedup-window is too small for its traffic.
 */
public final class DedupEvictions implements DedupWindow.EvictionListener {

  private final DistributionSummary ages;

  public DedupEvictions(String entityType) {
    this.ages = DistributionSummary.builder("herald.dedup.evicted.early")
        .description("Deduplication ids forgotten by count before dedup-retention was over (their age)")
        .baseUnit("seconds")
        .tag("entity", entityType)
        .register(Metrics.globalRegistry);
  }

  @Override
  public void evictedBeforeRetention(long ageMs) {
    ages.record(ageMs / 1000.0);
  }
}
