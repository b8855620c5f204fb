package io.herald.load.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a fault knows of the load it strikes.
 *
 * @param conversationIds the run's conversations (empty without chat in the mix), created before the offering
 * @param offering how long frames are offered: the timeline's seconds up to it are the offering's
 */
public record LoadUnderFault(List<String> conversationIds, Duration offering) {

  public LoadUnderFault {
    conversationIds = List.copyOf(conversationIds);
    Objects.requireNonNull(offering, "offering");
  }
}
