package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.herald.node.cli.Herald;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node image that Jib builds in this module's build (target/herald-node-image.tar, before the tests): what it
 * ships and how it starts. Its lib/ is the runtime classpath, so a test library that reaches compile scope anywhere
 * under herald-node shows up here.
 */
class HeraldImageTest {

  private static final Path TARBALL = Path.of(System.getProperty("basedir", "."), "target", "herald-node-image.tar");
  private static final String APP_ROOT = "opt/herald/";
  /** Jars of JUnit (and its opentest4j/apiguardian companions), Testcontainers and docker-java. */
  private static final Pattern TEST_LIBRARY =
      Pattern.compile("(junit|opentest4j|apiguardian|testcontainers|docker-java|duct-tape).*\\.jar");

  private static JsonNode imageConfig;
  private static List<String> libs;

  @BeforeAll
  static void readImage() throws IOException {
    assertTrue(Files.isRegularFile(TARBALL), TARBALL + " missing: the build's jib:buildTar (process-classes) makes it");
    var mapper = new ObjectMapper();
    Map<String, byte[]> entries = new HashMap<>();
    try (var tar = new TarArchiveInputStream(Files.newInputStream(TARBALL))) {
      for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        entries.put(entry.getName(), tar.readAllBytes());
      }
    }
    var manifest = mapper.readTree(entries.get("manifest.json")).get(0);
    imageConfig = mapper.readTree(entries.get(manifest.get("Config").asText())).get("config");
    libs = new ArrayList<>();
    for (var layer : manifest.get("Layers")) {
      try (InputStream gzip = new GzipCompressorInputStream(
              new ByteArrayInputStream(entries.get(layer.asText())));
          var files = new TarArchiveInputStream(gzip)) {
        for (var entry = files.getNextEntry(); entry != null; entry = files.getNextEntry()) {
          if (entry.getName().startsWith(APP_ROOT + "libs/") && entry.getName().endsWith(".jar")) {
            libs.add(entry.getName().substring((APP_ROOT + "libs/").length()));
          }
        }
      }
    }
  }

  @Test
  void libHoldsTheRuntimeClasspathWithoutTestLibraries() {
    assertTrue(libs.stream().anyMatch(jar -> jar.startsWith("herald-gateway-")), "the node's own modules: " + libs);
    assertTrue(libs.stream().anyMatch(jar -> jar.startsWith("herald-infra-")), "herald up's launchers: " + libs);
    var testLibraries = libs.stream().filter(jar -> TEST_LIBRARY.matcher(jar).matches()).toList();
    assertEquals(List.of(), testLibraries, "test libraries in the production image");
  }

  @Test
  void entrypointStartsTheNodeAsANonRootUser() {
    var entrypoint = new ArrayList<String>();
    imageConfig.get("Entrypoint").forEach(argument -> entrypoint.add(argument.asText()));
    assertEquals("java", entrypoint.get(0));
    assertEquals(Herald.class.getName(), entrypoint.get(entrypoint.size() - 1));
    // Jib's classpath file fixes the order (resources, classes, then the jars in dependency order).
    assertTrue(entrypoint.contains("@/" + APP_ROOT + "jib-classpath-file"), entrypoint.toString());
    assertEquals("node", imageConfig.at("/Cmd/0").asText());

    var user = imageConfig.path("User").asText();
    assertFalse(user.isEmpty() || user.equals("root") || user.equals("0") || user.startsWith("0:")
        || user.startsWith("root:"), "runs as root: '" + user + "'");

    var environment = new ArrayList<String>();
    imageConfig.get("Env").forEach(variable -> environment.add(variable.asText()));
    assertTrue(environment.contains("HERALD_LOG_FORMAT=json"), "JSON logs in the image: " + environment);
  }

  @Test
  void exposedPortsAreTheConfiguredOnes() {
    var config = ConfigFactory.load();
    Set<String> exposed = new TreeSet<>();
    imageConfig.get("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
    assertEquals(new TreeSet<>(Set.of(
        config.getInt("herald.gateway.http.port") + "/tcp",
        config.getInt("herald.gateway.coap.port") + "/udp",
        config.getInt("pekko.management.http.port") + "/tcp",
        config.getInt("pekko.remote.artery.canonical.port") + "/tcp")), exposed);
  }
}
