package io.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.Map;

/**
 * Discovery {@code contact-points}: Pekko Management cluster bootstrap over a fixed list of the nodes' management
 * addresses ({@code herald.node.contact-points}, or HERALD_CONTACT_POINTS), for deployments without Kubernetes.
 *
 * <p>Why not Pekko's static seed nodes: the first seed node forms a new cluster whenever no other seed answers it
 * within {@code seed-node-timeout}, also when it restarts beside a running cluster and the answers are merely slow;
 * the chaos harness saw exactly that (a second cluster, two writers of one conversation; docs/performance.md,
 * section 10). Bootstrap asks every listed node over HTTP instead: a node that hears of a running cluster joins it,
 * and a new cluster forms only when every listed node has answered that it is in none, and then only by the node
 * with the lowest address. A restart never forms a second cluster, however late the answers come.
 */
final class ContactPoints {

  static final String DISCOVERY = "contact-points";

  private static final String BOOTSTRAP = "pekko.management.cluster.bootstrap.";

  private ContactPoints() {}

  /**
   * The config with cluster bootstrap set to discover the listed contact points through Pekko's config discovery,
   * when {@code herald.node.discovery} is {@value #DISCOVERY}; otherwise the config unchanged. Derived in code, not
   * in herald-node.conf, because the endpoints come from a Herald list and Kubernetes discovery needs other values.
   */
  static Config apply(Config config) {
    if (!DISCOVERY.equals(config.getString("herald.node.discovery"))) {
      return config;
    }
    var points = config.getStringList("herald.node.contact-points");
    if (points.isEmpty()) {
      throw new IllegalArgumentException("herald.node.discovery = " + DISCOVERY + " needs herald.node.contact-points "
          + "(HERALD_CONTACT_POINTS): the management addresses host:port of every node of the cluster");
    }
    var endpoints = new ArrayList<Map<String, Object>>();
    for (var point : points) {
      endpoints.add(endpoint(point));
    }
    var service = config.getString(BOOTSTRAP + "contact-point-discovery.service-name");
    return config
        .withValue("pekko.discovery.config.services." + ConfigUtil.quoteString(service) + ".endpoints",
            ConfigValueFactory.fromIterable(endpoints))
        .withValue(BOOTSTRAP + "contact-point-discovery.discovery-method", ConfigValueFactory.fromAnyRef("config"))
        // Every listed node must have answered before a new cluster may form (contact-with-all-contact-points).
        .withValue(BOOTSTRAP + "contact-point-discovery.required-contact-point-nr",
            ConfigValueFactory.fromAnyRef(endpoints.size()))
        .withValue(BOOTSTRAP + "contact-point-discovery.contact-with-all-contact-points",
            ConfigValueFactory.fromAnyRef(true))
        // Several nodes on one host differ only by port: keep them all (the filter keeps one port per host).
        .withValue(BOOTSTRAP + "contact-point.filter-on-fallback-port", ConfigValueFactory.fromAnyRef(false));
  }

  private static Map<String, Object> endpoint(String point) {
    int colon = point.lastIndexOf(':');
    if (colon <= 0 || colon == point.length() - 1) {
      throw new IllegalArgumentException("contact point '" + point + "' is not host:port");
    }
    var host = point.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(point.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("contact point '" + point + "' has no port number", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("contact point '" + point + "': port out of range");
    }
    return Map.of("host", host, "port", port);
  }
}
