package io.herald.persistence;

import java.util.List;

/**
 * The tables read-side projections write in Herald's keyspace (besides the projections' offsets), created by the
 * schema step ({@link CassandraSchema}) like every other table: nodes never create tables.
 *
 * <ul>
 *   <li>{@value #TELEMETRY_ROLLUPS}: per device, reading key and bucket size ({@code bucket_ms}: a minute, an hour or a
 *       day), one row per bucket with the count, min, max and sum of the readings whose receive time falls in it, and
 *       {@code applied_seq_nr}: the sequence number of the last Device event merged into the row, so a replayed event
 *       is never counted twice. Partitions are time-bucketed ({@code partition_start_ms}, a fixed span per bucket
 *       size), so none holds more than about 1,500 rows whatever a device's age.
 *   <li>{@value #TELEMETRY_DEVICES}: each owner's devices, as their events name them: who may read a device's
 *       roll-ups, and which devices "all of a user's devices" are.
 * </ul>
 */
public final class ReadSideTables {

  public static final String TELEMETRY_ROLLUPS = "telemetry_rollups";
  public static final String TELEMETRY_DEVICES = "telemetry_devices";

  private ReadSideTables() {}

  /** CREATE TABLE IF NOT EXISTS statements, for the keyspace. */
  public static List<String> statements(String keyspace) {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + keyspace + "." + TELEMETRY_ROLLUPS + " ("
            + "device_id text, key text, bucket_ms bigint, partition_start_ms bigint, bucket_start_ms bigint, "
            + "count bigint, min double, max double, sum double, applied_seq_nr bigint, "
            + "PRIMARY KEY ((device_id, key, bucket_ms, partition_start_ms), bucket_start_ms))",
        "CREATE TABLE IF NOT EXISTS " + keyspace + "." + TELEMETRY_DEVICES + " ("
            + "owner_user_id text, device_id text, PRIMARY KEY ((owner_user_id), device_id))");
  }
}
