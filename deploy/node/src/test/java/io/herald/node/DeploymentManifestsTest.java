package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifests and the compose file agree with the node's configuration: ports, probes, discovery. */
class DeploymentManifestsTest {

  private static final Path DEPLOY = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "../.."), "deploy");
  private final com.typesafe.config.Config config = ConfigFactory.load();

  @Test
  void kubernetesPortsProbesAndRolloutMatchTheNodeConfiguration() throws Exception {
    var documents = kubernetesDocuments();
    var deployment = only(documents, "Deployment");
    var container = deployment.at("/spec/template/spec/containers/0");
    var ports = new HashMap<String, Integer>();
    container.get("ports").forEach(port -> ports.put(port.get("name").asText(), port.get("containerPort").asInt()));

    assertEquals(config.getInt("herald.gateway.http.port"), ports.get("websocket"));
    assertEquals(config.getInt("pekko.management.http.port"), ports.get("management"));
    assertEquals(config.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    assertEquals("/" + config.getString("pekko.management.health-checks.readiness-path"),
        container.at("/readinessProbe/httpGet/path").asText());
    assertEquals("/" + config.getString("pekko.management.health-checks.liveness-path"),
        container.at("/livenessProbe/httpGet/path").asText());
    assertEquals("management", container.at("/readinessProbe/httpGet/port").asText());

    assertEquals(0, deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt(), "drain before removing");
    assertEquals(1, only(documents, "PodDisruptionBudget").at("/spec/maxUnavailable").asInt());
    var labels = deployment.at("/spec/template/metadata/labels/app").asText();
    assertEquals(config.getString("pekko.discovery.kubernetes-api.pod-label-selector").formatted(
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name")), "app=" + labels);
    var verbs = new ArrayList<String>();
    only(documents, "Role").at("/rules/0/verbs").forEach(verb -> verbs.add(verb.asText()));
    assertTrue(verbs.containsAll(List.of("get", "watch", "list")), "bootstrap reads pods: " + verbs);
    var configMap = only(documents, "ConfigMap");
    assertEquals("kubernetes-api", configMap.at("/data/HERALD_DISCOVERY").asText());
    assertEquals("3", configMap.at("/data/HERALD_KAFKA_REPLICATION_FACTOR").asText(), "topics survive a broker");
    assertEquals("2", configMap.at("/data/HERALD_KAFKA_MIN_INSYNC_REPLICAS").asText());
  }

  @Test
  void composeNodesExposeTheConfiguredPortsAndJoinThroughSeedNodes() throws Exception {
    var compose = new YAMLMapper().readTree(DEPLOY.resolve("docker-compose.yml").toFile());
    var nodes = new ArrayList<JsonNode>();
    compose.get("services").fields().forEachRemaining(service -> {
      if (service.getKey().startsWith("herald-")) {
        nodes.add(service.getValue());
      }
    });
    assertEquals(3, nodes.size());
    for (var node : nodes) {
      var containerPorts = new ArrayList<String>();
      node.get("ports").forEach(port -> containerPorts.add(port.asText().replaceAll("^\\d+:", "")));
      assertTrue(containerPorts.containsAll(List.of(config.getInt("herald.gateway.http.port") + "",
          config.getInt("pekko.management.http.port") + "")), containerPorts.toString());
      assertEquals("seed-nodes", node.at("/environment/HERALD_DISCOVERY").asText());
      assertEquals("3", node.at("/environment/HERALD_KAFKA_REPLICATION_FACTOR").asText(), "topics survive a broker");
      assertEquals("2", node.at("/environment/HERALD_KAFKA_MIN_INSYNC_REPLICAS").asText());
    }
  }

  private static List<JsonNode> kubernetesDocuments() throws Exception {
    var mapper = new ObjectMapper(new YAMLFactory());
    try (var parser = new YAMLFactory().createParser(Files.readString(DEPLOY.resolve("kubernetes/herald.yaml")))) {
      return mapper.readValues(parser, JsonNode.class).readAll();
    }
  }

  private static JsonNode only(List<JsonNode> documents, String kind) {
    var matching = documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertEquals(1, matching.size(), kind);
    return matching.get(0);
  }
}
