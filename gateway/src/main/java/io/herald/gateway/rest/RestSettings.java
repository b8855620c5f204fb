package io.herald.gateway.rest;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code herald.gateway.rest}: see reference.conf.
 *
 * @param maxPage the largest (and default) page of conversation messages
 * @param staleMaxEntries answers kept for stale-if-error
 * @param staleMaxAge the oldest answer served stale
 * @param userReadsPerSecond reads one user may make per second, over all their devices (a token bucket)
 * @param userReadBurst reads one user may make at once
 */
public record RestSettings(int maxPage, int staleMaxEntries, Duration staleMaxAge, double userReadsPerSecond,
    int userReadBurst) {

  public static RestSettings fromConfig(Config gateway) {
    var rest = gateway.getConfig("rest");
    return new RestSettings(rest.getInt("max-page"), rest.getInt("stale-if-error.max-entries"),
        rest.getDuration("stale-if-error.max-age"), rest.getDouble("user-reads-per-second"),
        rest.getInt("user-read-burst"));
  }
}
