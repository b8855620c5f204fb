package io.herald.gateway.rest;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * {@code herald.gateway.rest}: see reference.conf.
 *
 * @param maxPage the largest (and default) page of conversation messages
 * @param staleMaxEntries answers kept for stale-if-error
 * @param staleMaxAge the oldest answer served stale
 * @param userReadsPerSecond reads one user may make per second, over all their devices (a token bucket)
 * @param userReadBurst reads one user may make at once
 * @param corsAllowedOrigins origins whose pages may read cross-origin ({@code *}: any), none by default
 * @param corsMaxAge how long a browser may keep a preflight's answer
 */
public record RestSettings(int maxPage, int staleMaxEntries, Duration staleMaxAge, double userReadsPerSecond,
    int userReadBurst, List<String> corsAllowedOrigins, Duration corsMaxAge) {

  public static RestSettings fromConfig(Config gateway) {
    var rest = gateway.getConfig("rest");
    return new RestSettings(rest.getInt("max-page"), rest.getInt("stale-if-error.max-entries"),
        rest.getDuration("stale-if-error.max-age"), rest.getDouble("user-reads-per-second"),
        rest.getInt("user-read-burst"), rest.getStringList("cors.allowed-origins"), rest.getDuration("cors.max-age"));
  }
}
