package io.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** The node's configuration: overrides, then application.conf, then every module's reference.conf. */
public final class HeraldConfig {

  private HeraldConfig() {}

  /**
   * Resolves overrides together with the unresolved reference.conf files, so settings that reference.conf derives
   * from Herald's own (e.g. the driver's contact points from herald.persistence.cassandra.contact-points) follow them.
   */
  public static Config load(Map<String, ?> overrides) {
    return ConfigFactory.load(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultApplication()));
  }

  /** The config with the HERALD_* list variables of this process's environment applied (EnvironmentOverrides). */
  public static Config withEnvironment(Config loaded) {
    return EnvironmentOverrides.apply(loaded, System.getenv());
  }
}
