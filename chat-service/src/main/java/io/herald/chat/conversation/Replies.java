package io.herald.chat.conversation;

import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.device.v1.NackCode;

final class Replies {

  private Replies() {}

  static IngressApplied applied(String messageId, boolean duplicate) {
    return IngressApplied.newBuilder().setMessageId(messageId).setDuplicate(duplicate).build();
  }

  static IngressApplied rejected(String messageId, NackCode code, String detail) {
    return IngressApplied.newBuilder().setMessageId(messageId).setRejectedCode(code).setDetail(detail).build();
  }
}
