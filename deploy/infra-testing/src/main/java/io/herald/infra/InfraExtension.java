package io.herald.infra;

import java.lang.reflect.Parameter;
import io.herald.infra.solr.SolrNode;
import java.util.Arrays;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM-wide shared {@link Kafka}, {@link Cassandra} and Solr ({@link SolrNode}, SolrCloud with its
 * embedded ZooKeeper) ({@link SharedInfra}) as parameters of test methods, lifecycle methods and constructors:
 *
 * <pre>{@code
 * @ExtendWith(InfraExtension.class)   // or @RequiresInfra
 * class DeviceJournalTest {
 *     @Test
 *     void survivesRestart(Kafka kafka, Cassandra cassandra) { ... }
 * }
 * }</pre>
 *
 * <p>Each is started on first request (both at once when one method asks for both) and stopped when the test run
 * ends. A test that stops, kills or restarts them affects the tests that follow in the same JVM: leave them running.
 * A test that needs its own multi-broker cluster builds a {@link KafkaCluster} itself.
 */
public final class InfraExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(InfraExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == Kafka.class || type == Cassandra.class || type == SolrNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        // Stop them when the whole run ends, not when this class ends: later test classes reuse them.
        extensionContext.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(StopAtEndOfRun.class, k -> new StopAtEndOfRun(), StopAtEndOfRun.class);
        Parameter[] all = parameterContext.getDeclaringExecutable().getParameters();
        SharedInfra.startInBackground(
                Arrays.stream(all).anyMatch(p -> p.getType() == Kafka.class),
                Arrays.stream(all).anyMatch(p -> p.getType() == Cassandra.class),
                Arrays.stream(all).anyMatch(p -> p.getType() == SolrNode.class));
        Class<?> type = parameterContext.getParameter().getType();
        if (type == Kafka.class) {
            return SharedInfra.kafka();
        }
        return type == Cassandra.class ? SharedInfra.cassandra() : SharedInfra.solr();
    }

    /** Closed by JUnit with the root store, at the end of the run (JUnit closes AutoCloseable store values). */
    private static final class StopAtEndOfRun implements AutoCloseable {
        @Override
        public void close() {
            SharedInfra.stopAll();
        }
    }
}
