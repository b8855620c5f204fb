package io.herald.search;

import io.herald.infra.solr.SolrConfigset;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.infra.solr.SolrRequestException;

/** The chat collection: created with the repository's configset herald-chat when it is missing. */
final class SolrCollection {

  private final SolrHttpClient solr;
  private final SearchSettings settings;
  private volatile boolean ensured;

  SolrCollection(SearchSettings settings) {
    // Creating a collection takes seconds: a client of its own, with the admin timeout.
    this.solr = new SolrHttpClient(settings.solrBaseUrl(), settings.solrAdminTimeout());
    this.settings = settings;
  }

  String name() {
    return settings.collection();
  }

  /** Deletes every document, committed when this returns (a rebuild; blocks on Solr, with the admin timeout). */
  void clear() {
    ensure();
    solr.deleteAllAndCommit(settings.collection());
  }

  /** Blocks on Solr; throws its failure (the projection then restarts and calls it again). */
  synchronized void ensure() {
    if (ensured) {
      return;
    }
    if (!solr.collections().contains(settings.collection())) {
      solr.uploadConfigset(SolrConfigset.chat());
      try {
        solr.createCollection(settings.collection(), SolrConfigset.chat().name(), settings.shards(),
            settings.replicationFactor());
      } catch (SolrRequestException e) {
        // Another node created it meanwhile ("collection already exists"); anything else fails the start.
        if (!solr.collections().contains(settings.collection())) {
          throw e;
        }
      }
    }
    ensured = true;
  }
}
