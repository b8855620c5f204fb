package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The TypeScript client (clients/typescript) against a real node: its Node tests ({@code npm test}: telemetry and chat
 * acked, a chat pushed to the other member, a frame whose ack was lost resent with the same message_id and applied
 * once, a restart on the file outbox resuming by last_seq, RETRY_LATER resent after retry_after_ms, push_ack trimming
 * the outbox) and its browser test (the bundled page in Debian's headless Chromium, driven by playwright-core: sign in
 * with a token, send telemetry and chat, a push shown in the page). Both run as child processes with the node's URL
 * and tokens in the environment; npm or Chromium missing is a failure, never a skip.
 */
@ExtendWith(InfraExtension.class)
class TypeScriptClientTest {

  private static final Path PACKAGE = Path.of("../../clients/typescript").toAbsolutePath().normalize();
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("HERALD_CHROMIUM", "/usr/bin/chromium"));
  private static final int DEVICE_BURST = 20;
  /** One name per user the Node tests (test/node.test.ts) and the browser test (scripts/browser-test.mjs) use. */
  private static final List<String> NAMES = List.of(
      "alice", "bob", "carol", "dave", "erin", "frank", "grace", "kate", "leo", "mia", "ivan", "judy");

  @Test
  void nodeAndBrowserTestsPassAgainstARealNode(Kafka kafka, Cassandra cassandra) throws Exception {
    assertTrue(Files.isRegularFile(PACKAGE.resolve("package.json")), "no TypeScript client at " + PACKAGE);
    String npm = onPath("npm");
    requireNode20(onPath("node"));
    assertTrue(Files.isExecutable(CHROMIUM),
        "no Chromium at " + CHROMIUM + " (HERALD_CHROMIUM): the browser test needs Debian's, apt-get install -y chromium");
    installPackages(npm);

    TestNodes.withSchema(kafka, cassandra);
    // A small bucket, so that the RETRY_LATER test's burst of 3 x DEVICE_BURST frames is refused in part however
    // slowly this machine lets the gateway read it (all of it taken would need 4 s of reading).
    var config = TestNodes.config(kafka, cassandra, Map.of(
        "herald.gateway.limits.device-burst", DEVICE_BURST,
        "herald.gateway.limits.device-frames-per-second", DEVICE_BURST / 2));
    try (var node = HeraldNode.start(config)) {
      WalkingSkeletonTest.awaitReady(node);
      var environment = Map.of(
          "HERALD_DEVICE_BURST", Integer.toString(DEVICE_BURST),
          "HERALD_WS_URL", "ws://127.0.0.1:" + node.httpPort() + "/v1/ws",
          "HERALD_TOKENS", tokens(UUID.randomUUID().toString().substring(0, 8)),
          "HERALD_CHROMIUM", CHROMIUM.toString());
      run(List.of(npm, "test"), environment, Duration.ofSeconds(120));
      run(List.of(npm, "run", "test:browser"), environment, Duration.ofSeconds(90));
    }
  }

  /**
   * {@code buf lint} on the .proto files (protocol/buf.yaml) and {@code buf breaking} against the released protocol's
   * image (protocol/buf/released-v1.binpb): the contract changes only by adding.
   */
  @Test
  void protoFilesPassBufLintAndAreNotBrokenAgainstTheReleasedProtocol() throws Exception {
    assertTrue(Files.isRegularFile(PACKAGE.resolve("package.json")), "no TypeScript client at " + PACKAGE);
    String npm = onPath("npm");
    requireNode20(onPath("node"));
    installPackages(npm);
    run(List.of(npm, "run", "lint:proto"), Map.of(), Duration.ofSeconds(60));
    run(List.of(npm, "run", "breaking:proto"), Map.of(), Duration.ofSeconds(60));
  }

  /** Name -> user, device and token; the run id keeps this run's users apart from earlier runs' on the shared infra. */
  private static String tokens(String run) throws IOException {
    var identities = new LinkedHashMap<String, Map<String, String>>();
    for (String name : NAMES) {
      var user = "ts-" + name + "-" + run;
      var device = name + "-device-" + run;
      identities.put(name, Map.of("user", user, "device", device,
          "token", Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10))));
    }
    return new ObjectMapper().writeValueAsString(identities);
  }

  /** {@code npm ci} once per package-lock.json: node_modules remembers the lock file's hash it was installed from. */
  private static void installPackages(String npm) throws Exception {
    var lock = Files.readAllBytes(PACKAGE.resolve("package-lock.json"));
    var hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lock));
    var stamp = PACKAGE.resolve("node_modules/.herald-installed-from");
    if (Files.exists(stamp) && Files.readString(stamp).equals(hash)) {
      return;
    }
    run(List.of(npm, "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(5));
    Files.writeString(stamp, hash);
  }

  private static void run(List<String> command, Map<String, String> environment, Duration timeout) throws Exception {
    var builder = new ProcessBuilder(command).directory(PACKAGE.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    var log = Files.createTempFile("herald-ts-client-", ".log");
    builder.redirectOutput(log.toFile());
    var process = builder.start();
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
    }
    var output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    System.out.println("$ " + String.join(" ", command) + "\n" + output);
    if (!finished) {
      fail(String.join(" ", command) + " did not finish within " + timeout + ":\n" + output);
    }
    assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
  }

  private static void requireNode20(String node) throws Exception {
    var process = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
    var version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    process.waitFor();
    var major = version.replaceFirst("^v(\\d+).*$", "$1");
    assertTrue(major.matches("\\d+") && Integer.parseInt(major) >= 20,
        "the TypeScript client's tests need Node.js 20 or later, " + node + " is " + version);
  }

  private static String onPath(String program) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      var candidate = Path.of(directory, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail("no " + program + " on the PATH: the TypeScript client's tests need Node.js 20+ and npm");
  }
}
