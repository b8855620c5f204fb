package io.herald.persistence;

import com.typesafe.config.Config;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A fixed set of tags ({@code <prefix>-0} .. {@code <prefix>-(count-1)}) over which an entity type's events are spread
 * by a hash of the entity id: the writer tags each event with {@link #tagFor}, a projection runs one instance per
 * {@link #tags() tag}. All events of one entity carry the same tag, so one instance sees them in order.
 *
 * @param prefix the tag's name before the slice number, e.g. {@code chat}
 * @param count  how many slices; fixed for good once events are tagged
 */
public record TagSlices(String prefix, int count) {

  public TagSlices {
    if (prefix.isEmpty() || count < 1) {
      throw new IllegalArgumentException("a tag prefix and at least one slice, not '" + prefix + "' and " + count);
    }
  }

  /** The Conversation events chat search follows: {@code herald.persistence.tags.chat-slices}. */
  public static TagSlices chat(Config config) {
    return new TagSlices("chat", config.getInt("herald.persistence.tags.chat-slices"));
  }

  /** The Device events telemetry roll-ups and device search follow: {@code herald.persistence.tags.device-slices}. */
  public static TagSlices device(Config config) {
    return new TagSlices("device", config.getInt("herald.persistence.tags.device-slices"));
  }

  /** The tag of every event of this entity. */
  public String tagFor(String entityId) {
    return prefix + "-" + Math.floorMod(entityId.hashCode(), count);
  }

  public List<String> tags() {
    return IntStream.range(0, count).mapToObj(slice -> prefix + "-" + slice).toList();
  }
}
