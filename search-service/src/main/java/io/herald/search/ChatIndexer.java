package io.herald.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import io.herald.infra.solr.SolrHttpClient;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * The projection's handler: one batch of a slice's events becomes one Solr update ({@link ChatDocuments}). It reads
 * the batch's conversations' membership records first (real-time get: what the previous batch wrote, committed or
 * not). Solr calls block, so they run on the search dispatcher; the stage it returns completes there.
 */
final class ChatIndexer extends Handler<List<EventEnvelope<Message>>> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SolrHttpClient solr;
  private final SolrCollection collection;
  private final Executor solrDispatcher;

  ChatIndexer(SolrHttpClient solr, SolrCollection collection, Executor solrDispatcher) {
    this.solr = solr;
    this.collection = collection;
    this.solrDispatcher = solrDispatcher;
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
    return CompletableFuture.supplyAsync(() -> {
      index(events);
      return Done.getInstance();
    }, solrDispatcher);
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
    var documents = ChatDocuments.documents(events, before);
    if (!documents.isEmpty()) {
      solr.index(collection.name(), documents);
    }
  }
}
