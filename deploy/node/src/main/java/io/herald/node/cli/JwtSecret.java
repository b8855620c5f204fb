package io.herald.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The HS256 secret herald up uses: configured, else the one in the data dir, else a new one written there. */
record JwtSecret(String value, boolean generated) {

  static final String FILE = "jwt-secret";

  static JwtSecret resolve(String configured, Path dataDir) throws IOException {
    if (configured != null && !configured.isBlank()) {
      return new JwtSecret(configured, false);
    }
    var file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return new JwtSecret(Files.readString(file, StandardCharsets.UTF_8).trim(), false);
    }
    var bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    var secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.createDirectories(dataDir);
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the file keeps the directory's permissions.
    }
    return new JwtSecret(secret, true);
  }
}
