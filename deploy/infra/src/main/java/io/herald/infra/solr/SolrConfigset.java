package io.herald.infra.solr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A Solr configset kept in this repository (resources under {@code io/herald/infra/solr/configsets/<name>/}), uploaded
 * to ZooKeeper through Solr's Configsets API by {@link SolrHttpClient#uploadConfigset}.
 *
 * @param name  the configset's name in ZooKeeper, and its resource folder
 * @param files the files it consists of, relative to that folder
 */
public record SolrConfigset(String name, List<String> files) {

    /** Chat messages: id, conversation_id, sender, members, text, at_ms (see its schema.xml). */
    public static SolrConfigset chat() {
        return new SolrConfigset("herald-chat", List.of("solrconfig.xml", "schema.xml"));
    }

    /** Devices: id, owner, online, reported.* and desired.* (see its schema.xml). */
    public static SolrConfigset devices() {
        return new SolrConfigset("herald-devices", List.of("solrconfig.xml", "schema.xml"));
    }

    public SolrConfigset {
        files = List.copyOf(files);
    }

    /** The configset as the zip file the Configsets API takes. */
    public byte[] zip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String file : files) {
                zip.putNextEntry(new ZipEntry(file));
                zip.write(read(file));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private byte[] read(String file) throws IOException {
        String resource = "configsets/" + name + "/" + file;
        try (InputStream in = SolrConfigset.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("configset file " + resource + " missing next to " + SolrConfigset.class);
            }
            return in.readAllBytes();
        }
    }
}
