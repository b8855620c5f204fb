package io.herald.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.protocol.events.v1.ConversationCreated;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's handler: one batch of a slice's events becomes one Solr update ({@link ChatDocuments}). It reads
 * the batch's conversations' membership records first (real-time get: what the previous batch wrote, committed or
 * not), and commits what it writes before the projection saves its offset. Solr calls block, so they run on the search
 * dispatcher; the stage it returns completes there.
 */
final class ChatIndexer extends Handler<List<EventEnvelope<Message>>> {

  private static final Logger log = LoggerFactory.getLogger(ChatIndexer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String tag;
  private final SolrHttpClient solr;
  private final SolrCollection collection;
  private final Executor solrDispatcher;
  private final ProjectionProgress progress;

  ChatIndexer(String tag, SolrHttpClient solr, SolrCollection collection, Executor solrDispatcher,
      ProjectionProgress progress) {
    this.tag = tag;
    this.solr = solr;
    this.collection = collection;
    this.solrDispatcher = solrDispatcher;
    this.progress = progress;
  }

  @Override
  public CompletionStage<Done> start() {
    // A missing collection fails the start: the projection then restarts after its backoff and tries again.
    return CompletableFuture.supplyAsync(() -> {
      collection.ensure();
      return Done.getInstance();
    }, solrDispatcher);
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Message>> envelopes) {
    var events = envelopes.stream()
        .map(envelope -> new ChatDocuments.Journaled(envelope.persistenceId(), envelope.sequenceNr(), envelope.event()))
        .toList();
    long oldest = envelopes.stream().mapToLong(EventEnvelope::timestamp).min().orElse(0);
    long newest = envelopes.stream().mapToLong(EventEnvelope::timestamp).max().orElse(0);
    return CompletableFuture.supplyAsync(() -> {
      try {
        index(events);
      } catch (RuntimeException e) {
        progress.failed(tag, oldest, e);
        throw e;
      }
      progress.indexed(tag, events.size(), newest);
      return Done.getInstance();
    }, solrDispatcher);
  }

  /**
   * A conversation's first event in the journal creates it: one whose events here start later and that has no record
   * lost its record in Solr (or was written before tagging), and its messages now get only the members known from
   * here on. Said, so that such a loss is never silent.
   */
  private static void warnOfMissingRecords(List<ChatDocuments.Journaled> events, Map<String, ?> before) {
    var seen = new HashSet<String>();
    for (var event : events) {
      if (seen.add(event.persistenceId()) && !before.containsKey(event.persistenceId())
          && !(event.event() instanceof ConversationCreated)) {
        log.warn("No membership record in Solr for {} whose events here start at sequence number {}: its messages "
            + "from here on are indexed with the members known from here on", event.persistenceId(),
            event.sequenceNr());
      }
    }
  }

  private void index(List<ChatDocuments.Journaled> events) {
    var pids = new LinkedHashSet<String>();
    events.forEach(event -> pids.add(event.persistenceId()));
    var recordIds = pids.stream().map(ChatDocuments::membershipDocumentId).toList();
    var before = new HashMap<String, ChatDocuments.Membership>();
    for (var record : solr.realTimeGet(collection.name(), recordIds)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = JSON.convertValue(record, Map.class);
      var id = String.valueOf(fields.get("id"));
      before.put(id.substring(0, id.length() - "|members".length()), ChatDocuments.membership(fields));
    }
    warnOfMissingRecords(events, before);
    var update = ChatDocuments.documents(events, before);
    if (update.documents().isEmpty()) {
      return;
    }
    if (update.changesMembers()) {
      // Committed before the projection saves its offset: a membership record the offset accounts for must be what
      // the next group reads, even right after a Solr restart. With the transaction log alone it was not: a restarted
      // SolrCloud leader answered real-time gets before replaying its log, the group read no record, indexed the
      // next messages with no members (found by nobody) and wrote a record past them (ChatSearchTest, Solr killed;
      // docs/design.md, read side).
      solr.indexAndCommit(collection.name(), update.documents());
    } else {
      // Messages only, to conversations whose record is committed with these members: a restarted Solr may answer
      // with that record's older applied_seq_nr, and a replay from there rewrites the same documents with the same
      // members. No commit per group, then: on a busy Solr each one was a new segment and an fsync, and chat's
      // groups (ten a second per slice) made commits time out (docs/benchmarks.md, "The read side's cost").
      solr.index(collection.name(), update.documents());
    }
  }
}
