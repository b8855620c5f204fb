package io.herald.load.sim;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The conversations of a run with chat in its mix: the simulated users in groups of {@code size}, in order (a last
 * group of one joins the one before), each group one conversation created by its first member. Creations go out
 * first but need not be applied first: a send that overtakes its conversation's creation waits in the conversation.
 */
public final class LoadConversations {

  private static final String STREAM_PREFIX = "chat:";
  private static final String SETUP_PREFIX = "setup:";

  private final Map<String, String> conversationOfUser = new HashMap<>();
  private final List<String> ids = new ArrayList<>();

  private LoadConversations() {}

  public static LoadConversations create(String run, List<SimulatedDevice> devices, int size) {
    var conversations = new LoadConversations();
    var groups = new ArrayList<List<SimulatedDevice>>();
    for (int i = 0; i < devices.size(); i += size) {
      groups.add(new ArrayList<>(devices.subList(i, Math.min(devices.size(), i + size))));
    }
    if (groups.size() > 1 && groups.get(groups.size() - 1).size() == 1) {
      groups.get(groups.size() - 2).addAll(groups.remove(groups.size() - 1));
    }
    for (int g = 0; g < groups.size(); g++) {
      var members = groups.get(g);
      var id = "load-" + run + "-c" + g;
      conversations.ids.add(id);
      members.forEach(member -> conversations.conversationOfUser.put(member.userId(), id));
      var creator = members.get(0);
      var create = CreateConversation.newBuilder().setConversationId(id);
      members.stream().skip(1).forEach(member -> create.addMemberUserIds(member.userId()));
      creator.offer(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
          .setSentAtMs(System.currentTimeMillis()).setCreateConversation(create).build(), SETUP_PREFIX + id);
    }
    return conversations;
  }

  public String of(SimulatedDevice device) {
    return conversationOfUser.get(device.userId());
  }

  public List<String> ids() {
    return List.copyOf(ids);
  }

  /** The ordered stream of one sender's messages in one conversation, as the checker keys it. */
  public static String stream(String conversationId, String senderUserId) {
    return STREAM_PREFIX + conversationId + ":" + senderUserId;
  }

  /** A creation: setup, not judged. */
  public static boolean isSetup(String stream) {
    return stream.startsWith(SETUP_PREFIX);
  }
}
