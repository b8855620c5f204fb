package io.herald.search;

import io.herald.infra.solr.SolrConfigset;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.infra.solr.SolrRequestException;

/**
 * A collection of the read side: created with its configset from the repository when it is missing (chat messages
 * with herald-chat, devices with herald-devices).
 */
final class SolrCollection {

  private final SolrHttpClient solr;
  private final SearchSettings settings;
  private final String name;
  private final SolrConfigset configset;
  private volatile boolean ensured;

  /** The chat collection. */
  SolrCollection(SearchSettings settings) {
    this(settings, settings.collection(), SolrConfigset.chat());
  }

  SolrCollection(SearchSettings settings, String name, SolrConfigset configset) {
    // Creating a collection takes seconds: a client of its own, with the admin timeout.
    this.solr = new SolrHttpClient(settings.solrBaseUrl(), settings.solrAdminTimeout());
    this.settings = settings;
    this.name = name;
    this.configset = configset;
  }

  String name() {
    return name;
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
    if (!solr.collections().contains(name)) {
      solr.uploadConfigset(configset);
      try {
        solr.createCollection(name, configset.name(), settings.shards(), settings.replicationFactor());
      } catch (SolrRequestException e) {
        // Another node created it meanwhile ("collection already exists"); anything else fails the start.
        if (!solr.collections().contains(name)) {
          throw e;
        }
      }
    }
    ensured = true;
  }
}
