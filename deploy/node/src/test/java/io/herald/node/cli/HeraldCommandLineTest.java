package io.herald.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's manners: help, version, and a clear exit code and message for each kind of mistake. */
class HeraldCommandLineTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Herald.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void helpListsEveryCommandIncludingLoadAndChaos() {
    assertEquals(0, run("--help"));
    for (var command : new String[] {"up", "node", "schema", "token", "cluster", "status", "dead-letters", "degradation", "drain",
        "stop", "kill", "freeze", "thaw", "load", "chaos"}) {
      assertTrue(out.toString().contains("  " + command + " "), command + " is missing from:\n" + out);
    }
  }

  @Test
  void aCommandsHelpIsItsUsageNotAnError() {
    assertEquals(0, run("up", "--help"));
    assertTrue(out.toString().contains("--http-port"), out.toString());
    assertEquals("", err.toString());
  }

  @Test
  void anUnknownOptionIsRefusedWithASuggestionInsteadOfIgnored() {
    assertEquals(2, run("up", "--htp-port", "81"));
    assertTrue(err.toString().contains("Unknown options: '--htp-port'"), err.toString());
    assertTrue(err.toString().contains("Possible solutions: --http-port"), err.toString());
  }

  @Test
  void aMalformedValueIsAUsageMistake() {
    assertEquals(2, run("up", "--http-port", "eighty"));
    assertTrue(err.toString().contains("--http-port"), err.toString());
  }

  @Test
  void noCommandAndAnUnknownCommandAreUsageMistakes() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("a command is required"), err.toString());
    assertEquals(2, run("upp"));
    assertTrue(err.toString().contains("Unmatched argument"), err.toString());
  }

  @Test
  void aMissingRequiredOptionIsNamed() {
    assertEquals(2, run("token", "--user", "alice"));
    assertTrue(err.toString().contains("--device"), err.toString());
  }

  @Test
  void aFailingCommandSaysWhyInOneLineWithoutAStackTrace(@TempDir Path dir) {
    assertEquals(1, run("status", "--data-dir", dir.toString()));
    assertEquals("herald status: no cluster described in " + dir.resolve("cluster.json")
        + ": start one with bin/herald cluster", err.toString().strip());
  }

  @Test
  void theVersionIsTheBuilds() {
    assertEquals(0, run("--version"));
    assertTrue(out.toString().matches("herald \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\s*"), out.toString());
  }

  @Test
  void theDefaultDataDirectoryIsHeraldHomesWhicheverDirectoryTheCommandRunsFrom(@TempDir Path home) throws Exception {
    // bin/herald passes -Dherald.home=<its repository>; the working directory here (deploy/node) is not that.
    var previous = System.setProperty(LocalStack.HOME_PROPERTY, home.toString());
    try {
      assertEquals(0, run("token", "--user", "alice", "--device", "phone-1"));
      var secretFile = home.resolve(".herald").resolve("jwt-secret");
      assertTrue(Files.exists(secretFile), "the secret goes to herald.home's .herald, not " + Path.of("").toAbsolutePath());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
      var secret = Files.readString(secretFile, StandardCharsets.UTF_8).trim();
      var token = out.toString().strip();
      assertEquals("alice", JWT.require(Algorithm.HMAC256(secret)).build().verify(token).getSubject());
      assertTrue(!out.toString().contains(secret) && !err.toString().contains(secret), "the secret is never printed");

      out.getBuffer().setLength(0);
      assertEquals(0, run("token", "--user", "bob", "--device", "tablet"));
      assertEquals("bob", JWT.require(Algorithm.HMAC256(secret)).build().verify(out.toString().strip()).getSubject(),
          "a second call signs with the same secret");

      assertEquals(1, run("stop", "1"));
      assertTrue(err.toString().contains("no cluster described in "
          + home.resolve(".herald").resolve("cluster").resolve("cluster.json")), err.toString());
    } finally {
      restore(previous);
    }
  }

  @Test
  void anExplicitRelativeDataDirectoryIsTheWorkingDirectorys(@TempDir Path home) throws Exception {
    var previous = System.setProperty(LocalStack.HOME_PROPERTY, home.toString());
    var relative = Path.of("target", "cli-data-" + UUID.randomUUID());
    try {
      assertEquals(0, run("token", "--user", "alice", "--device", "phone-1", "--data-dir", relative.toString()));
      assertTrue(Files.exists(relative.toAbsolutePath().resolve("jwt-secret")), err.toString());
      assertTrue(!Files.exists(home.resolve(".herald")), "herald.home is only the default");
    } finally {
      restore(previous);
      Files.deleteIfExists(relative.resolve("jwt-secret"));
      Files.deleteIfExists(relative);
    }
  }

  @Test
  void heraldUpsBannerSaysWhereTheSecretsAreNeverWhatTheyAre(@TempDir Path dataDir) throws Exception {
    var secret = LocalSecret.resolve("", dataDir, LocalSecret.JWT_SECRET_FILE);
    var adminToken = LocalSecret.resolve("", dataDir, LocalSecret.ADMIN_TOKEN_FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(adminToken.file())));

    var banner = LocalStack.banner(8080, 5683, "http://127.0.0.1:8558/", "127.0.0.1:9092", "127.0.0.1:9042",
        "http://127.0.0.1:8983/solr", secret,
        adminToken, dataDir);
    assertTrue(!banner.contains(secret.value()) && !banner.contains(adminToken.value()), banner);
    assertTrue(banner.contains("JWT secret  in " + secret.file()), banner);
    assertTrue(banner.contains("Admin token in " + adminToken.file()), banner);
    assertTrue(banner.contains("bin/herald token --user alice --device phone-1 --data-dir " + dataDir), banner);

    var configured = LocalSecret.resolve("a-configured-admin-token", dataDir, "unused");
    var withConfigured = LocalStack.banner(8080, 5683, "http://127.0.0.1:8558/", "k", "c", "s", secret, configured, dataDir);
    assertTrue(!withConfigured.contains("a-configured-admin-token")
        && withConfigured.contains("Admin token from the configuration (herald.admin.token)"), withConfigured);
  }

  @Test
  void anOperatorCommandAgainstANodeThatDoesNotAnswerSaysSoInOneLine() throws Exception {
    var nobody = "http://127.0.0.1:" + freePort();
    assertEquals(1, run("status", "--management-url", nobody));
    assertTrue(err.toString().startsWith("herald status: no node answers at " + nobody + " ("), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertEquals("", out.toString(), "nothing on standard output when the node does not answer");
  }

  @Test
  void operatorCommandsNeedAnAdminTokenFromTheEnvironmentOrAFileNeverTheCommandLine(@TempDir Path dir) {
    Assumptions.assumeTrue(System.getenv("HERALD_ADMIN_TOKEN") == null, "HERALD_ADMIN_TOKEN is set in this environment");
    var missing = dir.resolve("admin-token");
    assertEquals(1, run("dead-letters", "list", "--admin-token-file", missing.toString()));
    assertEquals("herald dead-letters list: no admin token: set HERALD_ADMIN_TOKEN or pass --admin-token-file (" + missing
        + " is missing or empty)", err.toString().strip());
    assertEquals(2, run("drain", "--admin-token", "secret"));
    assertTrue(err.toString().contains("'--admin-token'"), err.toString());
  }

  @Test
  void replaySaysWhichDeadLettersOrRefuses() {
    assertEquals(2, run("dead-letters", "replay"));
    assertTrue(err.toString().contains("say which: --partition P [--offset O], or --all"), err.toString());
    assertEquals(2, run("dead-letters", "replay", "--all", "--partition", "1"));
    assertEquals(2, run("dead-letters", "replay", "--offset", "7"));
    assertEquals(2, run("dead-letters"));
    assertTrue(err.toString().contains("say what to do: list or replay"), err.toString());
  }

  @Test
  void anUnknownDegradationModeIsRefusedBeforeAnyCall() {
    assertEquals(2, run("degradation", "--set", "sideways", "--management-url", "http://127.0.0.1:1"));
    assertTrue(err.toString().contains("--set takes normal, shed-telemetry or read-only, not 'sideways'"), err.toString());
    assertEquals(2, run("degradation", "--reason", "why"));
  }

  private static void restore(String previousHome) {
    if (previousHome == null) {
      System.clearProperty(LocalStack.HOME_PROPERTY);
    } else {
      System.setProperty(LocalStack.HOME_PROPERTY, previousHome);
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
