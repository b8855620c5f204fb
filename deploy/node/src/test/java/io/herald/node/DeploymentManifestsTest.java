package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.node.cli.Herald;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The compose file and the Kubernetes manifests, rendered as their tools would, agree with the node's configuration
 * and its image (ports, probes, entrypoint and commands), create the schema before the nodes start, require their
 * secrets, and carry a valid KRaft cluster id.
 */
class DeploymentManifestsTest {

  private static final Path DEPLOY = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "../.."), "deploy");
  private static final List<String> SECRETS = List.of("HERALD_JWT_SECRET", "HERALD_ADMIN_TOKEN");
  private final com.typesafe.config.Config config = HeraldConfig.load();

  private static NodeImage image;

  @BeforeAll
  static void readImage() throws Exception {
    image = NodeImage.read();
  }

  // ---- Kubernetes

  @Test
  void kubernetesPortsProbesAndRolloutMatchTheNodeConfiguration() throws Exception {
    var documents = kubernetesDocuments();
    var deployment = only(documents, "Deployment");
    var container = deployment.at("/spec/template/spec/containers/0");
    var ports = new HashMap<String, Integer>();
    container.get("ports").forEach(port -> ports.put(port.get("name").asText(), port.get("containerPort").asInt()));

    assertEquals(config.getInt("herald.gateway.http.port"), ports.get("websocket"));
    assertEquals(config.getInt("herald.gateway.coap.port"), ports.get("coap"));
    assertEquals(config.getInt("pekko.management.http.port"), ports.get("management"));
    assertEquals(config.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    assertEquals("/" + config.getString("pekko.management.health-checks.readiness-path"),
        container.at("/readinessProbe/httpGet/path").asText());
    assertEquals("/" + config.getString("pekko.management.health-checks.liveness-path"),
        container.at("/livenessProbe/httpGet/path").asText());
    assertEquals("management", container.at("/readinessProbe/httpGet/port").asText());
    assertEquals("management", container.at("/livenessProbe/httpGet/port").asText());

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
  void kubernetesContainersAreTheImageWithItsPortsAndCommands() throws Exception {
    var documents = kubernetesDocuments();
    var node = only(documents, "Deployment").at("/spec/template/spec/containers/0");
    var schema = only(documents, "Job").at("/spec/template/spec/containers/0");
    for (var container : List.of(node, schema)) {
      assertEquals(image.repository(), repository(container.get("image").asText()), "the image Jib builds");
    }
    var declared = new TreeSet<String>();
    node.get("ports").forEach(port ->
        declared.add(port.get("containerPort").asInt() + "/" + port.get("protocol").asText().toLowerCase()));
    assertEquals(image.exposedPorts(), declared, "container ports = the image's exposed ports");
    assertEquals(List.of("node"), strings(node.get("args")));
    assertEquals(List.of("schema"), strings(schema.get("args")));
    assertTrue(heraldCommands().containsAll(List.of("node", "schema")), "args name commands of the entrypoint");
    assertEquals(Herald.class.getName(), image.entrypoint().get(image.entrypoint().size() - 1));
  }

  @Test
  void kubernetesCreatesTheSchemaWithPerDataCentreReplication() throws Exception {
    var documents = kubernetesDocuments();
    var job = only(documents, "Job");
    var container = job.at("/spec/template/spec/containers/0");
    assertEquals("herald", container.at("/envFrom/0/configMapRef/name").asText(), "the nodes' settings");
    assertEquals("OnFailure", job.at("/spec/template/spec/restartPolicy").asText());
    var configMap = only(documents, "ConfigMap").get("data");
    assertEquals("NetworkTopologyStrategy", configMap.get("HERALD_CASSANDRA_REPLICATION_STRATEGY").asText());
    var factors = configMap.get("HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS").asText();
    assertTrue(factors.matches("[\\w-]+:[1-9]\\d*(,[\\w-]+:[1-9]\\d*)*"), factors);
    var localDc = configMap.get("HERALD_CASSANDRA_LOCAL_DATACENTER").asText();
    assertTrue(List.of(factors.split(",")).stream().anyMatch(f -> f.startsWith(localDc + ":")),
        "the local data centre " + localDc + " holds replicas: " + factors);
    assertReplicationVariablesAreSettings(configMap);
  }

  @Test
  void kubernetesSecretIsATemplateOfTheKeysTheNodesRead() throws Exception {
    var deployment = only(kubernetesDocuments(), "Deployment");
    var read = new HashMap<String, String>();
    deployment.at("/spec/template/spec/containers/0/env").forEach(variable -> {
      var ref = variable.at("/valueFrom/secretKeyRef");
      if (!ref.isMissingNode()) {
        assertEquals("herald", ref.get("name").asText());
        assertFalse(ref.path("optional").asBoolean(false), variable.get("name") + " must not be optional");
        read.put(variable.get("name").asText(), ref.get("key").asText());
      }
    });
    assertEquals(Set.copyOf(SECRETS), read.keySet());

    var template = yamlDocuments(DEPLOY.resolve("kubernetes/secret.template.yaml"));
    var secret = only(template, "Secret");
    assertEquals("herald", secret.at("/metadata/name").asText());
    var keys = new HashSet<String>();
    secret.get("stringData").fields().forEachRemaining(entry -> {
      keys.add(entry.getKey());
      assertEquals("", entry.getValue().asText(), entry.getKey() + ": a template holds no value");
    });
    assertEquals(new HashSet<>(read.values()), keys);
    kubernetesDocuments().forEach(d -> assertNotEquals("Secret", d.path("kind").asText(),
        "herald.yaml holds no Secret: applying it must not replace the real one"));
  }

  @Test
  void kubernetesRunsAsNonRootBehindTlsAndANetworkPolicy() throws Exception {
    var documents = kubernetesDocuments();
    for (var kind : List.of("Deployment", "Job")) {
      var pod = only(documents, kind).at("/spec/template/spec");
      assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), kind);
      assertNotEquals(0, pod.at("/securityContext/runAsUser").asInt(0), kind);
      var container = pod.at("/containers/0");
      assertFalse(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true), kind);
      assertEquals(List.of("ALL"), strings(container.at("/securityContext/capabilities/drop")), kind);
    }

    var ingress = only(documents, "Ingress");
    var tlsHosts = strings(ingress.at("/spec/tls/0/hosts"));
    assertFalse(ingress.at("/spec/tls/0/secretName").asText().isEmpty(), "wss:// needs a certificate");
    var rule = ingress.at("/spec/rules/0");
    assertTrue(tlsHosts.contains(rule.get("host").asText()), "the routed host is the TLS one");
    var backend = rule.at("/http/paths/0/backend/service");
    var service = only(documents, "Service");
    assertEquals(service.at("/metadata/name").asText(), backend.get("name").asText());
    var servicePorts = new ArrayList<String>();
    service.at("/spec/ports").forEach(port -> servicePorts.add(port.get("name").asText()));
    assertTrue(servicePorts.contains(backend.at("/port/name").asText()), servicePorts.toString());

    var policy = only(documents, "NetworkPolicy");
    assertEquals("herald", policy.at("/spec/podSelector/matchLabels/app").asText());
    var open = new ArrayList<String>();
    var fromHeraldOnly = new ArrayList<String>();
    policy.at("/spec/ingress").forEach(rule2 -> rule2.get("ports").forEach(port -> {
      var fromPods = rule2.path("from").path(0).at("/podSelector/matchLabels/app").asText();
      (rule2.has("from") && "herald".equals(fromPods) ? fromHeraldOnly : open).add(port.get("port").asText());
    }));
    assertEquals(List.of("websocket", "coap"), open);
    assertEquals(List.of("remoting", "management"), fromHeraldOnly);
  }

  // ---- docker compose

  @Test
  void composeCreatesTheSchemaBeforeTheNodesStart() throws Exception {
    var services = composeServices();
    var schemaSteps = services.entrySet().stream()
        .filter(service -> strings(service.getValue().get("command")).equals(List.of("schema"))).toList();
    assertEquals(1, schemaSteps.size(), "one schema step");
    var schemaName = schemaSteps.get(0).getKey();
    var schema = schemaSteps.get(0).getValue();
    assertEquals(image.repository(), repository(schema.get("image").asText()));
    assertTrue(heraldCommands().contains("schema"));
    assertEquals("service_healthy", schema.at("/depends_on/cassandra/condition").asText(), "waits for Cassandra");
    assertFalse(services.get("cassandra").path("healthcheck").isMissingNode());

    var cassandraDc = services.get("cassandra").at("/environment/CASSANDRA_DC").asText();
    var schemaEnvironment = schema.get("environment");
    assertEquals("NetworkTopologyStrategy", schemaEnvironment.get("HERALD_CASSANDRA_REPLICATION_STRATEGY").asText());
    assertTrue(schemaEnvironment.get("HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS").asText()
        .startsWith(cassandraDc + ":"), "replicas in Cassandra's data centre " + cassandraDc);
    assertEquals(cassandraDc, schemaEnvironment.get("HERALD_CASSANDRA_LOCAL_DATACENTER").asText());
    assertReplicationVariablesAreSettings(schemaEnvironment);

    var nodes = heraldNodes(services);
    assertEquals(3, nodes.size());
    for (var node : nodes.values()) {
      assertEquals("service_completed_successfully", node.at("/depends_on/" + schemaName + "/condition").asText());
      schemaEnvironment.fields().forEachRemaining(variable -> {
        if (variable.getKey().startsWith("HERALD_CASSANDRA_")) {
          assertEquals(variable.getValue(), node.at("/environment/" + variable.getKey()), variable.getKey());
        }
      });
    }
  }

  @Test
  void composeSecretsHaveNoWorkingDefault() throws Exception {
    var nodes = heraldNodes(composeServices());
    for (var node : nodes.entrySet()) {
      for (var secret : SECRETS) {
        var value = node.getValue().at("/environment/" + secret).asText();
        var refused = assertThrows(ComposeInterpolation.MissingVariable.class,
            () -> ComposeInterpolation.render(value, Map.of()), node.getKey() + " " + secret + " has a default");
        assertEquals(List.of(secret), refused.variables);
        assertThrows(ComposeInterpolation.MissingVariable.class,
            () -> ComposeInterpolation.render(value, Map.of(secret, "")), "an empty " + secret + " is refused");
        assertEquals("s3cr3t-from-the-operator", ComposeInterpolation.render(value, Map.of(secret, "s3cr3t-from-the-operator")));
      }
    }
  }

  @Test
  void composeKafkaHasAValidKraftClusterId() throws Exception {
    var brokers = new LinkedHashMap<String, JsonNode>();
    composeServices().forEach((name, service) -> {
      if (service.get("image").asText().startsWith("apache/kafka:")) {
        brokers.put(name, service);
      }
    });
    assertEquals(3, brokers.size());
    var ids = new HashSet<String>();
    var nodeIds = new TreeSet<Integer>();
    for (var broker : brokers.values()) {
      var id = broker.at("/environment/CLUSTER_ID").asText();
      assertEquals(22, id.length(), id);
      assertEquals(16, Base64.getUrlDecoder().decode(id).length, id);
      assertFalse(id.startsWith("-"), "Kafka's tools read a leading '-' as an option");
      ids.add(id);
      nodeIds.add(broker.at("/environment/KAFKA_NODE_ID").asInt());
    }
    assertEquals(1, ids.size(), "one cluster");
    var voters = new TreeSet<Integer>();
    for (var voter : brokers.values().iterator().next().at("/environment/KAFKA_CONTROLLER_QUORUM_VOTERS").asText().split(",")) {
      voters.add(Integer.parseInt(voter.substring(0, voter.indexOf('@'))));
    }
    assertEquals(nodeIds, voters);
  }

  @Test
  void composeServicesRestartKeepTheirDataAndReportHealth() throws Exception {
    var compose = composeFile();
    var declaredVolumes = new HashSet<String>();
    compose.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
    composeServices().forEach((name, service) -> {
      assertTrue(service.has("restart"), name + " restart policy");
      var image = service.get("image").asText();
      if (!strings(service.get("command")).equals(List.of("schema"))) {
        assertTrue(service.has("healthcheck"), name + " healthcheck");
      }
      if (Stream.of("apache/kafka:", "cassandra:", "zookeeper:", "solr:").anyMatch(image::startsWith)) {
        var volumes = strings(service.get("volumes"));
        assertFalse(volumes.isEmpty(), name + " keeps its data");
        volumes.forEach(volume -> assertTrue(declaredVolumes.contains(volume.split(":")[0]),
            name + ": a named volume " + volume));
      }
    });
  }

  @Test
  void composeNodesExposeTheConfiguredPortsProbeReadinessAndFindEachOtherThroughTheirContactPoints() throws Exception {
    var nodes = heraldNodes(composeServices());
    assertEquals(3, nodes.size());
    var management = config.getInt("pekko.management.http.port");
    var contactPoints = new TreeSet<String>();
    nodes.keySet().forEach(service -> contactPoints.add(service + ":" + management));
    for (var entry : nodes.entrySet()) {
      var node = entry.getValue();
      assertEquals(image.repository(), repository(node.get("image").asText()));
      assertEquals(List.of("node"), strings(node.get("command")));
      var containerPorts = new TreeSet<String>();
      node.get("ports").forEach(port -> {
        var target = port.asText().substring(port.asText().lastIndexOf(':') + 1);
        containerPorts.add(target.contains("/") ? target : target + "/tcp");
      });
      assertEquals(new TreeSet<>(Set.of(config.getInt("herald.gateway.http.port") + "/tcp",
          config.getInt("herald.gateway.coap.port") + "/udp", management + "/tcp")), containerPorts);
      assertTrue(image.exposedPorts().containsAll(containerPorts), "published ports are the image's");
      node.get("ports").forEach(port -> {
        if (port.asText().endsWith(":" + management)) {
          assertTrue(port.asText().startsWith("127.0.0.1:"), "management only on loopback: " + port);
        }
      });
      var healthcheck = String.join(" ", strings(node.at("/healthcheck/test")));
      assertTrue(healthcheck.contains("/" + management + " ")
          && healthcheck.contains("GET /" + config.getString("pekko.management.health-checks.readiness-path") + " "),
          "the healthcheck asks the management port's readiness path: " + healthcheck);
      assertEquals("0.0.0.0", node.at("/environment/HERALD_MANAGEMENT_BIND_HOST").asText(), "reachable by the check");
      // Bootstrap over every node's management address; the node's own must be among them as the others reach it.
      assertEquals("contact-points", node.at("/environment/HERALD_DISCOVERY").asText());
      assertEquals(contactPoints,
          new TreeSet<>(List.of(node.at("/environment/HERALD_CONTACT_POINTS").asText().split(","))));
      assertEquals(entry.getKey(), node.at("/environment/HERALD_MANAGEMENT_HOST").asText());
      assertEquals(entry.getKey(), node.at("/environment/HERALD_REMOTE_HOST").asText());
      assertEquals("3", node.at("/environment/HERALD_KAFKA_REPLICATION_FACTOR").asText(), "topics survive a broker");
      assertEquals("2", node.at("/environment/HERALD_KAFKA_MIN_INSYNC_REPLICAS").asText());
    }
  }

  @Test
  void searchRunsOnSolrCloudWithItsZooKeeperAndTheWritePathDoesNotWaitForIt() throws Exception {
    var services = composeServices();
    var solr = services.get("solr");
    assertTrue(solr.get("image").asText().startsWith("solr:9."), "Solr 9, as SolrNode runs");
    var zkHost = solr.at("/environment/ZK_HOST").asText();
    var zookeeper = zkHost.substring(0, zkHost.indexOf(':'));
    assertTrue(services.get(zookeeper).get("image").asText().startsWith("zookeeper:"), "ZK_HOST names " + zookeeper);
    assertEquals("service_healthy", solr.at("/depends_on/" + zookeeper + "/condition").asText());
    for (var node : heraldNodes(services).entrySet()) {
      var environment = node.getValue().get("environment");
      var searchSettings = searchSettings(environment);
      assertTrue(searchSettings.getBoolean("herald.search.enabled"), node.getKey());
      assertEquals("http://solr:8983/solr", searchSettings.getString("herald.search.solr.base-url"), node.getKey());
      assertTrue(searchSettings.getBoolean("herald.search.telemetry.enabled"), node.getKey() + " telemetry reports");
      assertTrue(node.getValue().at("/depends_on/solr").isMissingNode(),
          node.getKey() + " starts without Solr: acks and pushes do not need it");
    }

    var configMap = kubernetesDocuments().stream().filter(d -> "ConfigMap".equals(d.path("kind").asText()))
        .findFirst().orElseThrow().get("data");
    var kubernetesSettings = searchSettings(configMap);
    assertTrue(kubernetesSettings.getBoolean("herald.search.enabled"));
    assertTrue(kubernetesSettings.getBoolean("herald.search.telemetry.enabled"));
    assertTrue(kubernetesSettings.getString("herald.search.solr.base-url").matches("https?://[\\w.-]+:\\d+/solr"));
    assertEquals(3, kubernetesSettings.getInt("herald.search.solr.replication-factor"),
        "the collection survives a Solr node in production");
  }

  // ---- helpers

  /** herald.search.* as the node resolves them with these environment variables set (reference.conf's ${?VAR}). */
  private static Config searchSettings(JsonNode environment) {
    var variables = new StringBuilder();
    environment.fields().forEachRemaining(variable -> {
      if (variable.getKey().startsWith("HERALD_SEARCH_") || variable.getKey().equals("HERALD_TELEMETRY_ENABLED")) {
        variables.append(variable.getKey()).append(" = \"").append(variable.getValue().asText()).append("\"\n");
      }
    });
    return ConfigFactory.parseString(variables.toString()).withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve();
  }

  /** The replication variables name settings that reach the journal and the driver (reference.conf, list overrides). */
  private void assertReplicationVariablesAreSettings(JsonNode environment) {
    var overrides = EnvironmentOverrides.apply(config, Map.of(
        "HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS",
        environment.get("HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS").asText()));
    assertEquals(List.of(environment.get("HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS").asText().split(",")),
        overrides.getStringList("pekko.persistence.cassandra.journal.data-center-replication-factors"));
    var withVariables = ConfigFactory.parseString("""
        HERALD_CASSANDRA_REPLICATION_STRATEGY = "%s"
        HERALD_CASSANDRA_LOCAL_DATACENTER = "%s"
        """.formatted(environment.get("HERALD_CASSANDRA_REPLICATION_STRATEGY").asText(),
            environment.get("HERALD_CASSANDRA_LOCAL_DATACENTER").asText()));
    var resolved = withVariables.withFallback(ConfigFactory.parseResources(HeraldConfig.LIBRARY_SETTINGS))
        .withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
    assertEquals(environment.get("HERALD_CASSANDRA_REPLICATION_STRATEGY").asText(),
        resolved.getString("pekko.persistence.cassandra.journal.replication-strategy"));
    assertEquals(environment.get("HERALD_CASSANDRA_LOCAL_DATACENTER").asText(),
        resolved.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
  }

  private static Set<String> heraldCommands() {
    return new CommandLine(new Herald()).getSubcommands().keySet();
  }

  private static String repository(String imageReference) {
    return imageReference.substring(0, imageReference.lastIndexOf(':'));
  }

  private static List<String> strings(JsonNode array) {
    var values = new ArrayList<String>();
    if (array != null) {
      array.forEach(value -> values.add(value.asText()));
    }
    return values;
  }

  private static JsonNode composeFile() throws Exception {
    return new YAMLMapper().readTree(DEPLOY.resolve("docker-compose.yml").toFile());
  }

  private static Map<String, JsonNode> composeServices() throws Exception {
    var services = new LinkedHashMap<String, JsonNode>();
    composeFile().get("services").fields().forEachRemaining(s -> services.put(s.getKey(), s.getValue()));
    return services;
  }

  /** The long-running node services: the node image started with the node command. */
  private static Map<String, JsonNode> heraldNodes(Map<String, JsonNode> services) {
    var nodes = new LinkedHashMap<String, JsonNode>();
    services.forEach((name, service) -> {
      if (service.get("image").asText().startsWith(image.repository() + ":")
          && !strings(service.get("command")).equals(List.of("schema"))) {
        nodes.put(name, service);
      }
    });
    return nodes;
  }

  private static List<JsonNode> kubernetesDocuments() throws Exception {
    return yamlDocuments(DEPLOY.resolve("kubernetes/herald.yaml"));
  }

  private static List<JsonNode> yamlDocuments(Path file) throws Exception {
    var mapper = new ObjectMapper(new YAMLFactory());
    try (var parser = new YAMLFactory().createParser(Files.readString(file))) {
      return mapper.readValues(parser, JsonNode.class).readAll();
    }
  }

  private static JsonNode only(List<JsonNode> documents, String kind) {
    var matching = documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertEquals(1, matching.size(), kind);
    return matching.get(0);
  }
}
