package io.herald.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.solr.SolrNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings the three launchers share: no process is started here. */
class LauncherBuilderTest {

    @Test
    void withoutADataDirectoryATemporaryOneIsMadeAndDeletedOnClose() throws Exception {
        CassandraNode node = CassandraNode.builder().build();
        Path dir = node.dataDir();
        assertTrue(Files.isDirectory(dir));
        assertTrue(dir.isAbsolute());
        assertTrue(dir.getFileName().toString().startsWith("herald-cassandra-"), dir.toString());
        Files.writeString(dir.resolve("left-over"), "x");

        node.close();

        assertFalse(Files.exists(dir));
    }

    @Test
    void aGivenDataDirectoryIsMadeAbsoluteAndKeptOnClose(@TempDir Path tmp) throws Exception {
        Path relative = Path.of("").toAbsolutePath().relativize(tmp.resolve("kafka"));
        Files.createDirectories(relative);
        Files.writeString(relative.resolve("kept"), "x");
        KafkaCluster cluster = KafkaCluster.builder().dataDir(relative).build();

        cluster.close();

        assertTrue(cluster.dataDir().isAbsolute());
        assertEquals(tmp.resolve("kafka"), cluster.dataDir().normalize());
        assertTrue(Files.exists(tmp.resolve("kafka").resolve("kept")));
    }

    @Test
    void eachLauncherHasItsOwnDefaults(@TempDir Path tmp) {
        assertDefaults(CassandraNode.builder().dataDir(tmp).settings(), "512m", Duration.ofSeconds(180));
        assertDefaults(KafkaCluster.builder().dataDir(tmp).settings(), "512m", Duration.ofSeconds(120));
        assertDefaults(SolrNode.builder().dataDir(tmp).settings(), "256m", Duration.ofSeconds(120));
    }

    @Test
    void theLaunchersOptionsComeAfterTheCommonOnesAndTheExtraOptionsLastSoThatTheyWin(@TempDir Path tmp) {
        LauncherSettings quick = SolrNode.builder().dataDir(tmp).heap("300m").jvmOptions("-Xmx400m").settings();
        assertEquals(List.of("-Xmx300m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.net.preferIPv4Stack=true", "-Down", "-XX:TieredStopAtLevel=1", "-Xmx400m"),
                quick.jvmOptions(List.of("-Down")));

        LauncherSettings full = KafkaCluster.builder().dataDir(tmp).quickStartJit(false).settings();
        assertEquals(List.of("-Xmx256m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.net.preferIPv4Stack=true", "-Down"), full.jvmOptions("256m", List.of("-Down")));
    }

    private static void assertDefaults(LauncherSettings settings, String heap, Duration startTimeout) {
        assertEquals(heap, settings.heap());
        assertEquals(startTimeout, settings.startTimeout());
        assertEquals(Duration.ofSeconds(30), settings.stopTimeout());
        assertEquals("127.0.0.1", settings.host());
        assertTrue(settings.quickStartJit());
        assertFalse(settings.deleteDataOnClose());
    }
}
