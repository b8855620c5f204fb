package io.herald.user.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.ingress.v1.IngressRecord;

/**
 * What the consumer makes of one herald.ingress record's value, before asking any entity: the entity it goes to, none
 * (a body no entity handles: committed and counted as unrouted), or why it can never apply (dead-lettered at once).
 * Pure, so it is fuzzed with arbitrary bytes ({@code IngressRouteFuzzTest}).
 */
sealed interface IngressRoute {

  /** The kinds of entity a record goes to. */
  enum Entity {
    DEVICE("device"), USER("user"), CONVERSATION("conversation");

    /** As traces name it (the persist span's {@code herald.entity}). */
    final String traceName;

    Entity(String traceName) {
      this.traceName = traceName;
    }
  }

  /** For the {@code entity} of id {@code entityId} (never empty). */
  record ToEntity(IngressRecord record, Entity entity, String entityId) implements IngressRoute {}

  /** A body no entity handles (hello, or one this version does not know). */
  record Unrouted(IngressRecord record) implements IngressRoute {}

  /** Never applicable: {@code reason} goes with it to the dead-letter topic. */
  record Undeliverable(String reason) implements IngressRoute {}

  static IngressRoute of(byte[] value) {
    if (value == null) {
      // A tombstone (null value): nothing to apply.
      return new Undeliverable("no value (a tombstone), not an IngressRecord");
    }
    IngressRecord record;
    try {
      record = IngressRecord.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      return new Undeliverable("undecodable IngressRecord: " + e.getMessage());
    }
    var frame = record.getFrame();
    var entity = switch (frame.getBodyCase()) {
      case TELEMETRY, HEARTBEAT, REPORT_STATE -> new ToEntity(record, Entity.DEVICE, record.getDeviceId());
      case SET_DESIRED -> new ToEntity(record, Entity.DEVICE, frame.getSetDesired().getDeviceId());
      case CREATE_CONVERSATION ->
          new ToEntity(record, Entity.CONVERSATION, frame.getCreateConversation().getConversationId());
      case CHAT_SEND -> new ToEntity(record, Entity.CONVERSATION, frame.getChatSend().getConversationId());
      case CHAT_READ -> new ToEntity(record, Entity.CONVERSATION, frame.getChatRead().getConversationId());
      case ADD_MEMBERS -> new ToEntity(record, Entity.CONVERSATION, frame.getAddMembers().getConversationId());
      case REMOVE_MEMBERS -> new ToEntity(record, Entity.CONVERSATION, frame.getRemoveMembers().getConversationId());
      case LEAVE_CONVERSATION ->
          new ToEntity(record, Entity.CONVERSATION, frame.getLeaveConversation().getConversationId());
      case PUSH_ACK -> new ToEntity(record, Entity.USER, record.getUserId());
      default -> null;
    };
    if (entity == null) {
      return new Unrouted(record);
    }
    // The gateway never publishes such a record; one produced around it (a replay, another producer) would be asked
    // of no entity (sharding drops an empty entity id) until the pipeline gave up, or deduplicated under an empty id.
    if (record.getMessageId().isEmpty() || record.getUserId().isEmpty() || entity.entityId().isEmpty()) {
      return new Undeliverable("IngressRecord without message id, user id or " + entity.entity().name().toLowerCase()
          + " id: no entity can apply it");
    }
    return entity;
  }
}
