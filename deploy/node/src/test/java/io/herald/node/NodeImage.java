package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The node image that Jib builds in this module's build (target/herald-node-image.tar, process-classes, before the
 * tests), read as a container runtime would: the image config and the jars under the app root's libs/.
 */
record NodeImage(String repository, JsonNode config, List<String> libs) {

  static final Path TARBALL = Path.of(System.getProperty("basedir", "."), "target", "herald-node-image.tar");
  static final String APP_ROOT = "opt/herald/";

  static NodeImage read() throws IOException {
    assertTrue(Files.isRegularFile(TARBALL), TARBALL + " missing: the build's jib:buildTar (process-classes) makes it");
    var mapper = new ObjectMapper();
    Map<String, byte[]> entries = new HashMap<>();
    try (var tar = new TarArchiveInputStream(Files.newInputStream(TARBALL))) {
      for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        entries.put(entry.getName(), tar.readAllBytes());
      }
    }
    var manifest = mapper.readTree(entries.get("manifest.json")).get(0);
    var tag = manifest.at("/RepoTags/0").asText();
    var config = mapper.readTree(entries.get(manifest.get("Config").asText())).get("config");
    var libs = new ArrayList<String>();
    for (var layer : manifest.get("Layers")) {
      try (var files = new TarArchiveInputStream(
          new GzipCompressorInputStream(new ByteArrayInputStream(entries.get(layer.asText()))))) {
        for (var entry = files.getNextEntry(); entry != null; entry = files.getNextEntry()) {
          if (entry.getName().startsWith(APP_ROOT + "libs/") && entry.getName().endsWith(".jar")) {
            libs.add(entry.getName().substring((APP_ROOT + "libs/").length()));
          }
        }
      }
    }
    return new NodeImage(tag.substring(0, tag.lastIndexOf(':')), config, List.copyOf(libs));
  }

  List<String> entrypoint() {
    var entrypoint = new ArrayList<String>();
    config.get("Entrypoint").forEach(argument -> entrypoint.add(argument.asText()));
    return entrypoint;
  }

  /** As the image config lists them: "8080/tcp", "5683/udp". */
  Set<String> exposedPorts() {
    Set<String> exposed = new TreeSet<>();
    config.get("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
    return exposed;
  }
}
