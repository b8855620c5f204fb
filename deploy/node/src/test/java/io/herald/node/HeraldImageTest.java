package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.node.cli.Herald;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the node image ships and how it starts. Its lib/ is the runtime classpath, so a test library that reaches
 * compile scope anywhere under herald-node shows up here.
 */
class HeraldImageTest {

  /** Jars of JUnit (and its opentest4j/apiguardian companions), Testcontainers and docker-java. */
  private static final Pattern TEST_LIBRARY =
      Pattern.compile("(junit|opentest4j|apiguardian|testcontainers|docker-java|duct-tape).*\\.jar");

  private static NodeImage image;

  @BeforeAll
  static void readImage() throws IOException {
    image = NodeImage.read();
  }

  @Test
  void libHoldsTheRuntimeClasspathWithoutTestLibraries() {
    var libs = image.libs();
    assertTrue(libs.stream().anyMatch(jar -> jar.startsWith("herald-gateway-")), "the node's own modules: " + libs);
    assertTrue(libs.stream().anyMatch(jar -> jar.startsWith("herald-infra-")), "herald up's launchers: " + libs);
    var testLibraries = libs.stream().filter(jar -> TEST_LIBRARY.matcher(jar).matches()).toList();
    assertEquals(List.of(), testLibraries, "test libraries in the production image");
  }

  @Test
  void entrypointStartsTheNodeAsANonRootUser() {
    var entrypoint = image.entrypoint();
    assertEquals("java", entrypoint.get(0));
    assertEquals(Herald.class.getName(), entrypoint.get(entrypoint.size() - 1));
    // Jib's classpath file fixes the order (resources, classes, then the jars in dependency order).
    assertTrue(entrypoint.contains("@/" + NodeImage.APP_ROOT + "jib-classpath-file"), entrypoint.toString());
    assertEquals("node", image.config().at("/Cmd/0").asText());

    var user = image.config().path("User").asText();
    assertFalse(user.isEmpty() || user.equals("root") || user.equals("0") || user.startsWith("0:")
        || user.startsWith("root:"), "runs as root: '" + user + "'");

    var environment = new ArrayList<String>();
    image.config().get("Env").forEach(variable -> environment.add(variable.asText()));
    assertTrue(environment.contains("HERALD_LOG_FORMAT=json"), "JSON logs in the image: " + environment);
  }

  @Test
  void exposedPortsAreTheConfiguredOnes() {
    var config = HeraldConfig.load();
    assertEquals(new TreeSet<>(Set.of(
        config.getInt("herald.gateway.http.port") + "/tcp",
        config.getInt("herald.gateway.coap.port") + "/udp",
        config.getInt("pekko.management.http.port") + "/tcp",
        config.getInt("pekko.remote.artery.canonical.port") + "/tcp")), image.exposedPorts());
  }
}
