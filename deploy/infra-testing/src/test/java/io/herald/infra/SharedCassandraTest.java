package io.herald.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RequiresInfra
class SharedCassandraTest {

    @BeforeAll
    static void createSchema(Cassandra cassandra) {
        try (CqlSession session = connect(cassandra)) {
            session.execute("CREATE KEYSPACE IF NOT EXISTS infra_test WITH replication = "
                    + "{'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE IF NOT EXISTS infra_test.devices (id uuid PRIMARY KEY, name text)");
        }
    }

    @Test
    void writesAndReadsARow(Cassandra cassandra) {
        UUID id = UUID.randomUUID();
        try (CqlSession session = connect(cassandra)) {
            session.execute("INSERT INTO infra_test.devices (id, name) VALUES (?, ?)", id, "thermostat");
            Row row = session.execute("SELECT name FROM infra_test.devices WHERE id = ?", id).one();
            assertEquals("thermostat", row.getString("name"));
        }
    }

    @Test
    void acknowledgedWritesSurviveAKillWithBatchCommitlog(Cassandra cassandra) {
        UUID run = UUID.randomUUID();
        int rows = 200;
        try (CqlSession session = connect(cassandra)) {
            session.execute("CREATE TABLE IF NOT EXISTS infra_test.events (run uuid, seq int, PRIMARY KEY (run, seq))");
            // All in flight at once, like a journal under load; each is acknowledged only once it is synced.
            PreparedStatement insert = session.prepare("INSERT INTO infra_test.events (run, seq) VALUES (?, ?)");
            CompletableFuture.allOf(IntStream.range(0, rows)
                    .mapToObj(seq -> session.executeAsync(insert.bind(run, seq)).toCompletableFuture())
                    .toArray(CompletableFuture[]::new)).join();
        }

        cassandra.kill();
        cassandra.start();

        try (CqlSession session = connect(cassandra)) {
            long count = session.execute("SELECT count(*) FROM infra_test.events WHERE run = ?", run)
                    .one().getLong(0);
            assertEquals(rows, count);
        }
    }

    static CqlSession connect(Cassandra cassandra) {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
                .withLocalDatacenter(cassandra.localDatacenter())
                // Schema changes wait for agreement; a busy 2-core box can take longer than the 2 s default.
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(30))
                        // The default 2 s quiet periods make every session close take 2 s.
                        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                        .build())
                .build();
    }
}
