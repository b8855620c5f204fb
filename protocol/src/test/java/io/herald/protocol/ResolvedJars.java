package io.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The jars Maven resolved for the running module's tests (its runtime tree plus its test libraries), for tests that
 * pin what a client-facing module may depend on.
 */
public final class ResolvedJars {

  /** JUnit and Awaitility with what they pull: every module's tests have them. */
  public static final String TEST_LIBRARIES =
      "junit-jupiter.*|junit-platform.*|opentest4j|apiguardian-api|awaitility|hamcrest";

  private ResolvedJars() {}

  /** The file names of the resolved jars whose artifact name is not one of {@code allowedArtifacts} (a regex). */
  public static List<String> outside(String allowedArtifacts) {
    String classpath = System.getProperty("surefire.test.class.path");
    assertNotNull(classpath, "surefire.test.class.path is not set: this test must run under Maven Surefire");
    Pattern allowed = Pattern.compile("(" + allowedArtifacts + "|" + TEST_LIBRARIES + ")-[0-9].*\\.jar");
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar"))
        .map(entry -> Path.of(entry).getFileName().toString())
        .filter(jar -> !allowed.matcher(jar).matches())
        .toList();
  }
}
