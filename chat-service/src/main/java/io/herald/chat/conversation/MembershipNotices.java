package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.Command;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersNotified;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.chat.conversation.ConversationEntity.MembersNotTold;
import io.herald.chat.conversation.ConversationEntity.MembersTold;
import io.herald.chat.conversation.ConversationEntity.NoticeRetry;
import io.herald.protocol.device.v1.ConversationMembership;
import io.herald.protocol.device.v1.Push;
import io.herald.signals.cluster.UserOutboxes;
import io.herald.signals.concurrent.Continuations;
import java.util.ArrayList;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Tells every member, and every user removed since the last notice, who is in the conversation now, one round at a
 * time: changes made while a round is on its way are told by the next round, at their later version. Each user's User
 * entity enqueues a version once (its cause id); the entity persists that a version was told
 * ({@link ConversationMembersNotified}), so a crash repeats a notice rather than losing it. A failed round is tried
 * again after a backoff. Lives in the entity's actor.
 */
final class MembershipNotices {

  private final String conversationId;
  private final ConversationSettings settings;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final EffectFactories<Event, ConversationState> effect;
  private final UserOutboxes outboxes;
  // Actor-local: the membership version whose notice is on its way (0: none), and failed rounds in a row.
  private long noticeInFlight;
  private int noticeAttempts;

  MembershipNotices(String conversationId, ConversationSettings settings, ActorContext<Command> context,
      TimerScheduler<Command> timers, EffectFactories<Event, ConversationState> effect, UserOutboxes outboxes) {
    this.conversationId = conversationId;
    this.settings = settings;
    this.context = context;
    this.timers = timers;
    this.effect = effect;
    this.outboxes = outboxes;
  }

  /** Whether every member and former member has the notice of the current membership. */
  static boolean allTold(ConversationState state) {
    return state.notifiedVersion >= state.membershipVersion;
  }

  void notifyMembers(ConversationState state) {
    if (noticeInFlight > 0 || allTold(state)) {
      return;
    }
    var version = state.membershipVersion;
    noticeInFlight = version;
    var push = Push.newBuilder().setConversationMembership(ConversationMembership.newBuilder()
        .setConversationId(conversationId).setOwnerUserId(state.owner).addAllMemberUserIds(state.members)
        .setVersion(version)).build();
    var recipients = new ArrayList<String>(state.members);
    recipients.addAll(state.formerMembers.keySet());
    var causeId = "membership/" + version + "/" + conversationId;
    var told = Source.from(recipients)
        .mapAsyncUnordered(settings.fanOut().parallelism(), user -> outboxes.enqueue(user, causeId, push))
        .runWith(Sink.ignore(), context.getSystem());
    // pipeToSelf continues the stage with handle, which a stream's materialized value would run on a new thread.
    context.pipeToSelf(Continuations.onDispatcher(told, context.getSystem().executionContext()),
        (done, failure) -> failure == null ? new MembersTold(version) : new MembersNotTold(version, failure));
  }

  ReplyEffect<Event, ConversationState> told(ConversationState state, MembersTold told) {
    noticeInFlight = 0;
    noticeAttempts = 0;
    if (told.version() <= state.notifiedVersion) {
      notifyMembers(state);
      return effect.noReply();
    }
    return effect.persist(new ConversationMembersNotified(told.version())).thenRun(this::notifyMembers).thenNoReply();
  }

  ReplyEffect<Event, ConversationState> retry(ConversationState state) {
    notifyMembers(state);
    return effect.noReply();
  }

  ReplyEffect<Event, ConversationState> notTold(MembersNotTold failed) {
    noticeInFlight = 0;
    noticeAttempts++;
    var backoff = settings.fanOut().backoff(noticeAttempts);
    context.getLog().warn("The membership notice {} of {} did not reach every recipient (attempt {}), again in {} ms: "
        + "{}", failed.version(), conversationId, noticeAttempts, backoff.toMillis(), failed.cause().toString());
    timers.startSingleTimer(new NoticeRetry(), backoff);
    return effect.noReply();
  }
}
