package io.herald.signals.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.NotSerializableException;

/** The error every Herald serializer raises for bytes that do not parse as their manifest says. */
public final class Corrupt {

  private Corrupt() {}

  public static NotSerializableException bytes(String manifest, InvalidProtocolBufferException cause) {
    var failure = new NotSerializableException("Corrupt [" + manifest + "]: " + cause.getMessage());
    failure.initCause(cause);
    return failure;
  }
}
