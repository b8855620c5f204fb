package io.herald.load.chaos;

import io.herald.infra.solr.SolrHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat search index read straight from Solr, as the checker needs it: every message document of a conversation,
 * by its id and the message it holds (the search endpoint pages by time only and caps its answers).
 */
final class ChatIndex {

  /** The nodes' collection ({@code herald.search.solr.collection}, default). */
  static final String COLLECTION = "herald-chat";
  /** Documents per request: a page of ids and message ids is a few tens of kB. */
  private static final int PAGE = 1000;
  /** A conversation of a chaos run holds a few thousand messages at most; more means a mistake, not a big run. */
  static final int MAX_DOCUMENTS = 200_000;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final SolrHttpClient solr;

  ChatIndex(String solrBaseUrl) {
    this.solr = new SolrHttpClient(solrBaseUrl, REQUEST_TIMEOUT);
  }

  /** One document as Solr holds it now (committed or not), or a word saying there is none: for a finding's example. */
  String describe(String documentId) {
    var found = solr.realTimeGet(COLLECTION, List.of(documentId));
    return found.isEmpty() ? "no document " + documentId : found.get(0).toString();
  }

  /**
   * Every message document of the conversation, committed (searchable). Throws {@link
   * io.herald.infra.solr.SolrUnavailableException} or {@link io.herald.infra.solr.SolrRequestException} (404: no
   * collection yet) as Solr answers.
   */
  List<SearchCheck.Indexed> messages(String conversationId) {
    var documents = new ArrayList<SearchCheck.Indexed>();
    for (int start = 0; ; start += PAGE) {
      var page = solr.select(COLLECTION, "q", "*:*", "fq", "kind:message",
          "fq", "conversation_id:\"" + conversationId.replace("\\", "\\\\").replace("\"", "\\\"") + "\"",
          "fl", "id,message_id", "sort", "id asc", "start", Integer.toString(start), "rows", Integer.toString(PAGE));
      long numFound = page.path("numFound").asLong();
      if (numFound > MAX_DOCUMENTS) {
        throw new IllegalStateException(numFound + " documents of conversation " + conversationId
            + " in the index, more than the " + MAX_DOCUMENTS + " a chaos run can have sent");
      }
      page.path("docs").forEach(doc -> documents.add(new SearchCheck.Indexed(doc.path("id").asText(),
          doc.path("message_id").asText())));
      if (start + PAGE >= numFound || page.path("docs").isEmpty()) {
        return documents;
      }
    }
  }
}
