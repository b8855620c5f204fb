package io.herald.gateway.validation;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a decoded frame against the rules the gateway owns: a usable message id, a body, and sane sizes. It does not
 * check ownership (may this user set that device's desired state?): that needs the user-service's data. Thread-safe.
 */
public final class FrameValidator {

  private final FrameLimits limits;

  public FrameValidator(FrameLimits limits) {
    this.limits = limits;
  }

  /** The first rule the frame breaks, or empty when it is valid. */
  public Optional<FrameViolation> validate(ClientFrame frame) {
    String problem = messageIdProblem(frame.getMessageId());
    if (problem == null) {
      problem = bodyProblem(frame);
    }
    return Optional.ofNullable(problem).map(FrameViolation::new);
  }

  private String messageIdProblem(String messageId) {
    if (messageId.isEmpty()) {
      return "message_id is empty";
    }
    return tooLong("message_id", messageId, limits.maxIdLength());
  }

  private String bodyProblem(ClientFrame frame) {
    switch (frame.getBodyCase()) {
      case BODY_NOT_SET:
        return "the frame has no body (or one this server does not know)";
      case HELLO:
        return firstOf(
            negative("hello.last_seq", frame.getHello().getLastSeq()),
            tooLong("hello.client_version", frame.getHello().getClientVersion(), limits.maxIdLength()));
      case HEARTBEAT:
        return null;
      case TELEMETRY:
        return telemetryProblem(frame.getTelemetry());
      case REPORT_STATE:
        return propertiesProblem("report_state.reported", frame.getReportState().getReportedMap());
      case SET_DESIRED:
        return setDesiredProblem(frame.getSetDesired());
      case CREATE_CONVERSATION:
        return membersProblem("create_conversation", frame.getCreateConversation().getConversationId(),
            frame.getCreateConversation().getMemberUserIdsList());
      case ADD_MEMBERS:
        return firstOf(
            membersProblem("add_members", frame.getAddMembers().getConversationId(),
                frame.getAddMembers().getMemberUserIdsList()),
            frame.getAddMembers().getMemberUserIdsCount() == 0 ? "add_members.member_user_ids is empty" : null);
      case REMOVE_MEMBERS:
        return firstOf(
            membersProblem("remove_members", frame.getRemoveMembers().getConversationId(),
                frame.getRemoveMembers().getMemberUserIdsList()),
            frame.getRemoveMembers().getMemberUserIdsCount() == 0 ? "remove_members.member_user_ids is empty" : null);
      case LEAVE_CONVERSATION:
        return requiredId("leave_conversation.conversation_id", frame.getLeaveConversation().getConversationId());
      case CHAT_SEND:
        return firstOf(
            requiredId("chat_send.conversation_id", frame.getChatSend().getConversationId()),
            frame.getChatSend().getText().isEmpty() ? "chat_send.text is empty" : null,
            tooLong("chat_send.text", frame.getChatSend().getText(), limits.maxTextLength()));
      case CHAT_READ:
        return firstOf(
            requiredId("chat_read.conversation_id", frame.getChatRead().getConversationId()),
            negative("chat_read.up_to_seq", frame.getChatRead().getUpToSeq()));
      case PUSH_ACK:
        return negative("push_ack.up_to_seq", frame.getPushAck().getUpToSeq());
      default:
        // A body added to the proto but not yet to this validator must not pass unchecked.
        return "the frame's body " + frame.getBodyCase() + " is not accepted by this server";
    }
  }

  private String telemetryProblem(Telemetry telemetry) {
    Map<String, Double> readings = telemetry.getReadingsMap();
    if (readings.size() > limits.maxMapEntries()) {
      return "telemetry.readings has " + readings.size() + " entries, more than " + limits.maxMapEntries();
    }
    for (Map.Entry<String, Double> reading : readings.entrySet()) {
      String problem = keyProblem("telemetry.readings", reading.getKey());
      if (problem != null) {
        return problem;
      }
      // NaN and infinities have no JSON form and break aggregates downstream.
      if (!Double.isFinite(reading.getValue())) {
        return "telemetry.readings['" + reading.getKey() + "'] is not a finite number";
      }
    }
    return null;
  }

  // Ownership of set_desired.device_id is not checked here: the gateway does not know which devices a user owns.
  // The user-service will answer UNKNOWN_DEVICE/FORBIDDEN (as a push 'rejected') once it owns that data.
  private String setDesiredProblem(SetDesired setDesired) {
    return firstOf(
        requiredId("set_desired.device_id", setDesired.getDeviceId()),
        propertiesProblem("set_desired.desired", setDesired.getDesiredMap()));
  }

  /** A conversation id and a list of member user ids (create_conversation, add_members, remove_members). */
  private String membersProblem(String frame, String conversationId, List<String> members) {
    String problem = requiredId(frame + ".conversation_id", conversationId);
    if (problem != null) {
      return problem;
    }
    if (members.size() > limits.maxMembers()) {
      return frame + ".member_user_ids has " + members.size() + " entries, more than " + limits.maxMembers();
    }
    for (String member : members) {
      problem = requiredId(frame + ".member_user_ids[]", member);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private String propertiesProblem(String field, Map<String, String> properties) {
    if (properties.size() > limits.maxMapEntries()) {
      return field + " has " + properties.size() + " entries, more than " + limits.maxMapEntries();
    }
    for (Map.Entry<String, String> property : properties.entrySet()) {
      String problem =
          firstOf(
              keyProblem(field, property.getKey()),
              tooLong(field + "['" + property.getKey() + "']", property.getValue(), limits.maxValueLength()));
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private String keyProblem(String field, String key) {
    if (key.isEmpty()) {
      return field + " has an empty key";
    }
    return tooLong(field + " key", key, limits.maxKeyLength());
  }

  private String requiredId(String field, String value) {
    if (value.isEmpty()) {
      return field + " is empty";
    }
    return tooLong(field, value, limits.maxIdLength());
  }

  private static String tooLong(String field, String value, int max) {
    // Cheap check first: a string of at most max UTF-16 units has at most max code points.
    if (value.length() <= max) {
      return null;
    }
    int codePoints = value.codePointCount(0, value.length());
    return codePoints > max ? field + " is " + codePoints + " characters long, more than " + max : null;
  }

  private static String negative(String field, long value) {
    return value < 0 ? field + " is negative" : null;
  }

  private static String firstOf(String... problems) {
    for (String problem : problems) {
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }
}
