package io.herald.signals.serialization;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.herald.protocol.cluster.v1.EntityMessages;
import io.herald.protocol.cluster.v1.Signals;
import io.herald.protocol.device.v1.DeviceProtocol;
import io.herald.protocol.events.v1.ConversationEvents;
import io.herald.protocol.events.v1.DeviceEvents;
import io.herald.protocol.events.v1.UserEvents;
import io.herald.protocol.ingress.v1.IngressProtocol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Protobuf full name to parser, for every top-level message of Herald's .proto files. */
public final class ProtobufRegistry {

  /** Every Herald .proto file; a new file is added here once and all its messages become serializable. */
  static final List<FileDescriptor> FILES =
      List.of(
          DeviceProtocol.getDescriptor(),
          IngressProtocol.getDescriptor(),
          DeviceEvents.getDescriptor(),
          ConversationEvents.getDescriptor(),
          UserEvents.getDescriptor(),
          EntityMessages.getDescriptor(),
          Signals.getDescriptor());

  private static final Map<String, Parser<? extends Message>> PARSERS = index(FILES);

  private ProtobufRegistry() {}

  /** The parser for a full name, or null when no Herald file declares it. */
  public static Parser<? extends Message> parserFor(String fullName) {
    return PARSERS.get(fullName);
  }

  private static Map<String, Parser<? extends Message>> index(List<FileDescriptor> files) {
    var parsers = new HashMap<String, Parser<? extends Message>>();
    for (var file : files) {
      // All Herald files use java_multiple_files, so each top-level message is its own class in java_package.
      var javaPackage = file.getOptions().getJavaPackage();
      for (var type : file.getMessageTypes()) {
        parsers.put(type.getFullName(), defaultInstance(javaPackage + "." + type.getName()).getParserForType());
      }
    }
    return Map.copyOf(parsers);
  }

  private static Message defaultInstance(String className) {
    try {
      return (Message) Class.forName(className).getMethod("getDefaultInstance").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Generated class missing for " + className, e);
    }
  }
}
