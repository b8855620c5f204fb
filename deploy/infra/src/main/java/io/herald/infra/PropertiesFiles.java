package io.herald.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The properties files launchers keep in their data directories: recorded ports, generated configuration. */
public final class PropertiesFiles {

    private PropertiesFiles() {
    }

    /** What {@code file} holds; empty if there is no such file. */
    public static Properties read(Path file) throws IOException {
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            }
        }
        return props;
    }

    /** Replaces {@code file} atomically with {@code props}, headed by {@code comment}. */
    public static void write(Path file, Properties props, String comment) throws IOException {
        StringWriter out = new StringWriter();
        props.store(out, comment);
        ChildProcess.writeAtomically(file, out.toString());
    }
}
