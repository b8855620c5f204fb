package io.herald.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.protocol.events.v1.TelemetryRecorded;
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
 * The device search projection's handler: one batch of a device slice's events becomes one Solr update
 * ({@link DeviceDocuments}), after a real-time get of the batch's devices' documents (what the previous batch wrote,
 * committed or not). Solr calls block, so they run on the search dispatcher; the stage it returns completes there.
 */
final class DeviceIndexer extends Handler<List<EventEnvelope<Message>>> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SolrHttpClient solr;
  private final SolrCollection collection;
  private final Executor solrDispatcher;

  DeviceIndexer(SolrHttpClient solr, SolrCollection collection, Executor solrDispatcher) {
    this.solr = solr;
    this.collection = collection;
    this.solrDispatcher = solrDispatcher;
  }

  @Override
  public CompletionStage<Done> start() {
    return CompletableFuture.supplyAsync(() -> {
      collection.ensure();
      return Done.getInstance();
    }, solrDispatcher);
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Message>> envelopes) {
    // Telemetry, most of a device tag's events, changes nothing searched: the batch holds the other events only.
    var events = envelopes.stream()
        .filter(envelope -> !(envelope.event() instanceof TelemetryRecorded))
        .map(envelope -> new ChatDocuments.Journaled(envelope.persistenceId(), envelope.sequenceNr(), envelope.event()))
        .toList();
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return CompletableFuture.supplyAsync(() -> {
      index(events);
      return Done.getInstance();
    }, solrDispatcher);
  }

  private void index(List<ChatDocuments.Journaled> events) {
    var ids = new LinkedHashSet<String>();
    events.forEach(event -> ids.add(DeviceDocuments.deviceId(event.persistenceId())));
    var before = new HashMap<String, DeviceDocuments.Device>();
    for (var document : solr.realTimeGet(collection.name(), List.copyOf(ids))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = JSON.convertValue(document, Map.class);
      var device = DeviceDocuments.Device.of(fields);
      before.put(device.deviceId(), device);
    }
    var documents = DeviceDocuments.documents(events, before);
    if (!documents.isEmpty()) {
      // Committed before the projection saves its offset, as ChatIndexer does and for its reason: the next group
      // reads these documents back (real-time get), and a restarted Solr leader answers before replaying its
      // transaction log, so a document only logged would read as missing or older and be rewritten from that.
      solr.indexAndCommit(collection.name(), documents);
    }
  }
}
