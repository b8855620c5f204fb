package io.herald.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Reads settings that must be positive, and refuses the rest at start-up with the setting's origin (file and line)
 * in the message, so that a zero or negative bound never becomes "no bound" or a division by zero at run time.
 */
public final class SettingChecks {

  private SettingChecks() {}

  public static int positiveInt(Config config, String path) {
    int value = config.getInt(path);
    if (value <= 0) {
      throw notPositive(config, path, value);
    }
    return value;
  }

  public static Duration positiveDuration(Config config, String path) {
    Duration value = config.getDuration(path);
    if (value.isNegative() || value.isZero()) {
      throw notPositive(config, path, value);
    }
    return value;
  }

  /** A size in bytes above zero (HOCON sizes: {@code 256 KiB}). */
  public static long positiveBytes(Config config, String path) {
    long value = config.getBytes(path);
    if (value <= 0) {
      throw notPositive(config, path, value);
    }
    return value;
  }

  /** A finite number above zero. */
  public static double positiveNumber(Config config, String path) {
    double value = config.getDouble(path);
    if (!(value > 0) || Double.isInfinite(value)) {
      throw notPositive(config, path, value);
    }
    return value;
  }

  private static ConfigException notPositive(Config config, String path, Object value) {
    return new ConfigException.BadValue(config.origin(), path, "must be positive, was " + value);
  }
}
