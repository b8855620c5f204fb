package io.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node's configuration: overrides, then system properties and application.conf (the operator's), then the
 * node's settings of other libraries' keys (herald-node.conf), then every module's reference.conf.
 */
public final class HeraldConfig {

  /** Herald's values for keys of Pekko, the journal plugin and the Cassandra driver. */
  static final String LIBRARY_SETTINGS = "herald-node.conf";

  private HeraldConfig() {}

  /** The node's configuration without overrides: what {@code herald node} and {@code herald schema} run with. */
  public static Config load() {
    return load(Map.of());
  }

  /**
   * Resolves overrides together with the unresolved application and library settings, so settings derived from
   * Herald's own (e.g. the driver's contact points from herald.persistence.cassandra.contact-points) follow them.
   */
  public static Config load(Map<String, ?> overrides) {
    return ConfigFactory.load(ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources(HeraldConfig.class.getClassLoader(), LIBRARY_SETTINGS)));
  }

  /** The config with the HERALD_* list variables of this process's environment applied (EnvironmentOverrides). */
  public static Config withEnvironment(Config loaded) {
    return EnvironmentOverrides.apply(loaded, System.getenv());
  }

  /**
   * The keys Herald sets in herald-node.conf whose effective value is the libraries' default instead, and that the
   * operator (system properties, application.conf) did not set: a config loaded without herald-node.conf, or one a
   * library's settings came to override. A node refuses to start on any (HeraldNode.start).
   */
  public static List<String> libraryDefaultsInsteadOfHerald(Config effective) {
    var file = ConfigFactory.parseResources(HeraldConfig.class.getClassLoader(), LIBRARY_SETTINGS);
    var paths = new ArrayList<String>();
    collectLeafPaths(file.root(), new ArrayList<>(), paths);
    // Herald's values as the file gives them over the libraries' defaults (its substitutions name herald.* settings).
    var herald = file.withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
    var libraries = ConfigFactory.defaultReference();
    var operator = ConfigFactory.defaultOverrides().withFallback(ConfigFactory.defaultApplication())
        .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
    return paths.stream()
        .filter(path -> !operator.hasPathOrNull(path))
        .filter(path -> libraries.hasPathOrNull(path)
            && !libraries.getValue(path).unwrapped().equals(herald.getValue(path).unwrapped()))
        .filter(path -> !effective.hasPathOrNull(path)
            || effective.getValue(path).unwrapped().equals(libraries.getValue(path).unwrapped()))
        .sorted()
        .toList();
  }

  private static void collectLeafPaths(ConfigObject object, List<String> prefix, List<String> paths) {
    object.forEach((key, value) -> {
      var path = new ArrayList<>(prefix);
      path.add(key);
      if (value instanceof ConfigObject child) {
        collectLeafPaths(child, path, paths);
      } else {
        paths.add(ConfigUtil.joinPath(path));
      }
    });
  }
}
