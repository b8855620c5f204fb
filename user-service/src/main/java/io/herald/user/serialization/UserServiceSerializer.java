package io.herald.user.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.cluster.v1.GetDeviceTelemetry;
import io.herald.protocol.cluster.v1.GetUserAccount;
import io.herald.signals.serialization.Corrupt;
import io.herald.user.account.UserEntity;
import io.herald.user.device.DeviceEntity.Reading;
import io.herald.user.device.DeviceEntity;
import java.io.NotSerializableException;
import java.util.HashMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Cluster wire form of the user-service's entity commands and replies: the Protobuf messages of herald.cluster.v1,
 * with actor references in ActorRefResolver's string form.
 */
public final class UserServiceSerializer extends SerializerWithStringManifest {

  public static final int IDENTIFIER = 1_747_200;

  // Manifests name the Java command and the Protobuf message that carries it.
  private static final String GET_TELEMETRY = "device.GetTelemetry:herald.cluster.v1.GetDeviceTelemetry";
  private static final String GET_ACCOUNT = "user.GetAccount:herald.cluster.v1.GetUserAccount";
  private static final String TELEMETRY = "device.TelemetrySummary:herald.cluster.v1.DeviceTelemetry";

  private final ActorRefResolver resolver;

  public UserServiceSerializer(ExtendedActorSystem system) {
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof DeviceEntity.GetTelemetry) return GET_TELEMETRY;
    if (o instanceof UserEntity.GetAccount) return GET_ACCOUNT;
    if (o instanceof DeviceEntity.TelemetrySummary) return TELEMETRY;
    throw new IllegalArgumentException("Not a user-service message: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof UserEntity.GetAccount get) {
      return GetUserAccount.newBuilder().setReplyTo(resolver.toSerializationFormat(get.replyTo())).build().toByteArray();
    }
    if (o instanceof DeviceEntity.GetTelemetry get) {
      return GetDeviceTelemetry.newBuilder().setReplyTo(resolver.toSerializationFormat(get.replyTo())).build().toByteArray();
    }
    if (o instanceof DeviceEntity.TelemetrySummary summary) {
      var telemetry = DeviceTelemetry.newBuilder().setDeviceId(summary.deviceId())
          .setOwnerUserId(summary.ownerUserId()).setTelemetryCount(summary.telemetryCount());
      summary.readings().forEach((key, reading) -> telemetry.putReadings(key, reading.toStats()));
      return telemetry.build().toByteArray();
    }
    throw new IllegalArgumentException("Not a user-service message: " + o.getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      switch (manifest) {
        case GET_ACCOUNT -> {
          return new UserEntity.GetAccount(resolver.resolveActorRef(GetUserAccount.parseFrom(bytes).getReplyTo()));
        }
        case GET_TELEMETRY -> {
          return new DeviceEntity.GetTelemetry(resolver.resolveActorRef(GetDeviceTelemetry.parseFrom(bytes).getReplyTo()));
        }
        case TELEMETRY -> {
          var telemetry = DeviceTelemetry.parseFrom(bytes);
          var readings = new HashMap<String, Reading>();
          telemetry.getReadingsMap().forEach((key, stats) -> readings.put(key, Reading.of(stats)));
          return new DeviceEntity.TelemetrySummary(telemetry.getDeviceId(), telemetry.getOwnerUserId(),
              telemetry.getTelemetryCount(), readings);
        }
        default -> throw new NotSerializableException("Unknown user-service manifest [" + manifest + "]");
      }
    } catch (InvalidProtocolBufferException e) {
      throw Corrupt.bytes(manifest, e);
    }
  }
}
