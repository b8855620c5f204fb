package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettingChecksTest {

  private static final com.typesafe.config.Config CONFIG = ConfigFactory.parseString("""
      count = 3
      zero = 0
      below = -1
      wait = 2s
      no-wait = 0s
      rate = 2.5
      """, com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription("test settings"));

  @Test
  void positiveValuesAreRead() {
    assertEquals(3, SettingChecks.positiveInt(CONFIG, "count"));
    assertEquals(Duration.ofSeconds(2), SettingChecks.positiveDuration(CONFIG, "wait"));
    assertEquals(2.5, SettingChecks.positiveNumber(CONFIG, "rate"));
  }

  @Test
  void zeroAndBelowAreRefusedNamingTheSettingAndWhereItWasSet() {
    var zero = assertThrows(ConfigException.BadValue.class, () -> SettingChecks.positiveInt(CONFIG, "zero"));
    assertTrue(zero.getMessage().contains("test settings") && zero.getMessage().contains("zero"), zero.getMessage());
    assertThrows(ConfigException.BadValue.class, () -> SettingChecks.positiveInt(CONFIG, "below"));
    assertThrows(ConfigException.BadValue.class, () -> SettingChecks.positiveDuration(CONFIG, "no-wait"));
    assertThrows(ConfigException.BadValue.class, () -> SettingChecks.positiveNumber(CONFIG, "below"));
  }
}
