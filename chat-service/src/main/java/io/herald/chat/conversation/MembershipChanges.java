package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.Apply;
import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.ConversationCreated;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersChanged;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.persistence.PersistLatency;
import io.herald.protocol.device.v1.NackCode;
import io.herald.signals.cluster.Outcomes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The frames that create a conversation and change its members, by consent: the creator owns the conversation and
 * alone adds and removes members; a member may leave (the longest-standing member who stays owns it when the owner
 * left); a second creation of the same id is refused (ALREADY_EXISTS). Every change is followed by a membership notice
 * ({@link MembershipNotices}) and wakes the fan-out, which delivers the next messages to the members of now. Lives in
 * the entity's actor.
 */
final class MembershipChanges {

  private final String conversationId;
  private final ConversationSettings settings;
  private final EffectFactories<Event, ConversationState> effect;
  private final PersistLatency persistLatency;
  private final ActorRef<FanOut.Command> fanOut;
  private final ParkedSends parkedSends;
  private final MembershipNotices notices;

  MembershipChanges(String conversationId, ConversationSettings settings,
      EffectFactories<Event, ConversationState> effect, PersistLatency persistLatency, ActorRef<FanOut.Command> fanOut,
      ParkedSends parkedSends, MembershipNotices notices) {
    this.conversationId = conversationId;
    this.settings = settings;
    this.effect = effect;
    this.persistLatency = persistLatency;
    this.fanOut = fanOut;
    this.parkedSends = parkedSends;
    this.notices = notices;
  }

  /** A create_conversation, add_members, remove_members or leave_conversation frame, not seen before. */
  ReplyEffect<Event, ConversationState> apply(ConversationState state, Apply command) {
    var frame = command.request().record().getFrame();
    var user = command.request().record().getUserId();
    return switch (frame.getBodyCase()) {
      case CREATE_CONVERSATION -> create(state, command);
      case ADD_MEMBERS -> {
        if (!state.created() || !user.equals(state.owner)) {
          yield notTheOwner(state, command, "add members to");
        }
        var added = frame.getAddMembers().getMemberUserIdsList().stream().distinct()
            .filter(member -> !state.members.contains(member)).toList();
        if (state.members.size() + added.size() > settings.maxMembers()) {
          yield tooManyMembers(command, state.members.size() + added.size());
        }
        yield change(command, added, List.of(), "");
      }
      case REMOVE_MEMBERS -> {
        if (!state.created() || !user.equals(state.owner)) {
          yield notTheOwner(state, command, "remove members from");
        }
        var removed = frame.getRemoveMembers().getMemberUserIdsList().stream().distinct()
            .filter(state.members::contains).toList();
        yield change(command, List.of(), removed, successor(state, removed));
      }
      case LEAVE_CONVERSATION -> {
        if (!state.created()) {
          yield doesNotExist(command);
        }
        if (!state.members.contains(user)) {
          yield notAMember(command, user);
        }
        yield change(command, List.of(), List.of(user), successor(state, List.of(user)));
      }
      default -> throw new IllegalArgumentException("not a membership frame: " + frame.getBodyCase());
    };
  }

  /** The sends that waited for the creation get their places now, in the order they arrived; the others are refused. */
  private ReplyEffect<Event, ConversationState> create(ConversationState state, Apply command) {
    var record = command.request().record();
    var messageId = record.getMessageId();
    var user = record.getUserId();
    if (state.created()) {
      if (user.equals(state.creatorUserId) && messageId.equals(state.creationMessageId)) {
        // The creator's resend, after the deduplication window forgot it: still the same creation.
        return effect.reply(command.request().replyTo(), Outcomes.applied(messageId, true));
      }
      return effect.reply(command.request().replyTo(),
          Outcomes.rejected(messageId, NackCode.ALREADY_EXISTS, "conversation " + conversationId + " already exists"));
    }
    var members = new LinkedHashSet<String>();
    members.add(user);
    members.addAll(record.getFrame().getCreateConversation().getMemberUserIdsList());
    if (members.size() > settings.maxMembers()) {
      return tooManyMembers(command, members.size());
    }
    var events = new ArrayList<Event>();
    events.add(new ConversationCreated(messageId, user, List.copyOf(members), record.getReceivedAtMs()));
    var seq = state.lastSeq;
    for (var parked : state.parked) {
      if (members.contains(parked.senderUserId())) {
        events.add(new ChatMessageAppended(parked.messageId(), ++seq, parked.senderUserId(), parked.text(),
            parked.sentAtMs(), parked.receivedAtMs()));
      }
    }
    var started = PersistLatency.start();
    return effect.persist(events)
        .thenRun(s -> persistLatency.since(started))
        .thenRun(s -> FanOut.wakeIfBehind(fanOut, s))
        .thenRun(parkedSends::refuse)
        .thenRun(notices::notifyMembers)
        .thenReply(command.request().replyTo(), s -> Outcomes.applied(messageId, false));
  }

  /**
   * The owner once {@code leaving} are gone, when the owner is among them: the longest-standing member who stays
   * (empty: the owner stays, or nobody is left, and then the conversation stays its last owner's).
   */
  private static String successor(ConversationState state, List<String> leaving) {
    if (!leaving.contains(state.owner)) {
      return "";
    }
    return state.members.stream().filter(member -> !leaving.contains(member)).findFirst().orElse("");
  }

  private ReplyEffect<Event, ConversationState> change(Apply command, List<String> added, List<String> removed,
      String newOwner) {
    var record = command.request().record();
    var messageId = record.getMessageId();
    if (added.isEmpty() && removed.isEmpty()) {
      return effect.reply(command.request().replyTo(), Outcomes.applied(messageId, false));
    }
    var started = PersistLatency.start();
    return effect.persist(new ConversationMembersChanged(messageId, record.getUserId(), added, removed, newOwner,
            record.getReceivedAtMs()))
        .thenRun(s -> persistLatency.since(started))
        // The fan-out delivers the next messages to the members of now, whether or not it is behind.
        .thenRun(s -> fanOut.tell(new FanOut.Wake(s.fannedOutSeq, s.lastSeq, List.copyOf(s.members), "")))
        .thenRun(notices::notifyMembers)
        .thenReply(command.request().replyTo(), s -> Outcomes.applied(messageId, false));
  }

  /**
   * A conversation that does not exist yet has no owner: its creator's own add_members and remove_members come after
   * its creation (one user's records are applied in order).
   */
  private ReplyEffect<Event, ConversationState> notTheOwner(ConversationState state, Apply command, String what) {
    if (!state.created()) {
      return doesNotExist(command);
    }
    return effect.reply(command.request().replyTo(), Outcomes.rejected(command.request().record().getMessageId(),
        NackCode.FORBIDDEN, "only the owner of conversation " + conversationId + " may " + what + " it"));
  }

  private ReplyEffect<Event, ConversationState> tooManyMembers(Apply command, int members) {
    return effect.reply(command.request().replyTo(), Outcomes.rejected(command.request().record().getMessageId(),
        NackCode.TOO_MANY_MEMBERS, "conversation " + conversationId + " would have " + members + " members, more than "
            + settings.maxMembers()));
  }

  ReplyEffect<Event, ConversationState> doesNotExist(Apply command) {
    return effect.reply(command.request().replyTo(), Outcomes.rejected(command.request().record().getMessageId(),
        NackCode.FORBIDDEN, "conversation " + conversationId + " does not exist"));
  }

  ReplyEffect<Event, ConversationState> notAMember(Apply command, String user) {
    return effect.reply(command.request().replyTo(), Outcomes.rejected(command.request().record().getMessageId(),
        NackCode.FORBIDDEN, "user " + user + " is not a member of conversation " + conversationId));
  }
}
