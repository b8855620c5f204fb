package io.herald.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** Snapshot and event-deletion policy shared by every Herald entity (herald.persistence.retention). */
public final class Retention {

  private Retention() {}

  public static RetentionCriteria fromConfig(Config config) {
    var retention = config.getConfig("herald.persistence.retention");
    return RetentionCriteria.snapshotEvery(
            retention.getInt("snapshot-every-events"), retention.getInt("keep-snapshots"))
        .withDeleteEventsOnSnapshot();
  }
}
