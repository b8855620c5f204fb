package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The node's logback.xml picks its console format by HERALD_LOG_FORMAT, as the image (json) and bin/herald use it. */
class LogFormatTest {

  @Test
  void jsonByTheVariable() throws Exception {
    assertInstanceOf(LogstashEncoder.class, rootEncoder("json"));
  }

  @Test
  void textWithoutIt() throws Exception {
    assertInstanceOf(PatternLayoutEncoder.class, rootEncoder(null));
    assertInstanceOf(PatternLayoutEncoder.class, rootEncoder("text"));
  }

  /** The encoder of the one appender on the root logger, with logback.xml read in a context of its own. */
  private static Encoder<?> rootEncoder(String format) throws Exception {
    var context = new LoggerContext();
    try {
      if (format != null) {
        // Looked up like an environment variable: context properties come before the environment.
        context.putProperty("HERALD_LOG_FORMAT", format);
      }
      var configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      var appenders = new ArrayList<ch.qos.logback.core.Appender<?>>();
      context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appenders::add);
      assertEquals(1, appenders.size(), appenders.toString());
      // A warning or error while configuring makes logback print its whole status at start (seen: an appender
      // defined and not referenced).
      var troubles = context.getStatusManager().getCopyOfStatusList().stream()
          .filter(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN).toList();
      assertEquals(List.of(), troubles, "logback.xml configures without warnings");
      return ((ConsoleAppender<?>) appenders.get(0)).getEncoder();
    } finally {
      context.stop();
    }
  }
}
