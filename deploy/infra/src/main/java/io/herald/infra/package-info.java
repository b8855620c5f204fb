/**
 * Real Kafka (KRaft) and Cassandra 5.0 for tests and local runs, as child JVMs on 127.0.0.1 (or containers).
 *
 * <ul>
 *   <li>Tests: {@code @ExtendWith(InfraExtension.class)} (or {@code @RequiresInfra}) and parameters of type
 *       {@link io.herald.infra.Kafka} / {@link io.herald.infra.Cassandra}: one shared instance of each per test JVM,
 *       also reachable as {@code SharedInfra.kafka()} / {@code SharedInfra.cassandra()}. Those classes and the
 *       container path are in herald-infra-testing (same package, test scope only), so that this module, which
 *       herald-node ships, carries no JUnit or Testcontainers.
 *   <li>Dedicated or fixed-port instances: {@link io.herald.infra.KafkaCluster#builder()} and
 *       {@link io.herald.infra.CassandraNode#builder()}.
 * </ul>
 *
 * <p>The launchers, {@link io.herald.infra.solr.SolrNode} among them, share one base: the settings every child JVM
 * takes ({@link io.herald.infra.LauncherBuilder}: data directory, host, heap, JIT, JVM options, timeouts), the lifecycle
 * ({@link io.herald.infra.ChildLauncher}, {@link io.herald.infra.SingleChildLauncher} for one child) and one
 * {@link io.herald.infra.ChildSlot} per running child.
 *
 * <p>The servers' classpaths are resolved from Maven Central on first use (needs {@code mvn}; cached under
 * {@code ~/.herald/runtime-classpath}). Each child JVM stops with its launcher, even after a kill -9 of the launcher
 * ({@link io.herald.infra.watch.ParentWatch}). Logs: {@code <dataDir>/kafka-<i>.log}, {@code <dataDir>/cassandra.log}.
 */
package io.herald.infra;
