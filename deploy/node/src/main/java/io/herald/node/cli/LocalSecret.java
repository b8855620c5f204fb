package io.herald.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret herald up uses (the JWT signing secret, the admin token): configured, else the one in the data dir, else
 * a new random one written there (owner-only permissions). Its value is for the node and for token minting, never
 * for the terminal: {@link #where()} says where it is.
 */
record LocalSecret(String value, boolean configured, boolean generated, Path file) {

  static final String JWT_SECRET_FILE = "jwt-secret";
  static final String ADMIN_TOKEN_FILE = "admin-token";

  static LocalSecret resolve(String configured, Path dataDir, String fileName) throws IOException {
    var file = dataDir.resolve(fileName);
    if (configured != null && !configured.isBlank()) {
      return new LocalSecret(configured, true, false, file);
    }
    if (Files.exists(file)) {
      return new LocalSecret(Files.readString(file, StandardCharsets.UTF_8).trim(), false, false, file);
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
    return new LocalSecret(secret, false, true, file);
  }

  /** Where the secret is, for a banner: the file (and whether it was just generated), or the configuration. */
  String where(String setting) {
    if (configured) {
      return "from the configuration (" + setting + ")";
    }
    return "in " + file + (generated ? " (generated)" : "");
  }
}
