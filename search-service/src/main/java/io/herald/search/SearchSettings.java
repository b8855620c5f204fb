package io.herald.search;

import com.typesafe.config.Config;
import java.time.Duration;

/** herald.search: see search-service's reference.conf. */
public record SearchSettings(
    boolean enabled, String solrBaseUrl, String collection, int shards, int replicationFactor,
    Duration solrRequestTimeout, Duration solrUpdateTimeout, Duration solrAdminTimeout, String projectionRole, int groupAfterEvents, Duration groupAfter,
    Duration restartMinBackoff, Duration restartMaxBackoff, QueryLimits query) {

  /** herald.search.query */
  public record QueryLimits(int maxQueryLength, int maxTerms, int maxConversationIdLength, int defaultLimit,
      int maxLimit, long maxResultBytes, int maxInFlight, Duration retryAfter) {}

  static final String SOLR_DISPATCHER = "herald.search.solr-dispatcher";
  static final String INDEXING_DISPATCHER = "herald.search.indexing-dispatcher";

  public static SearchSettings fromConfig(Config config) {
    var search = config.getConfig("herald.search");
    var solr = search.getConfig("solr");
    var projection = search.getConfig("projection");
    var query = search.getConfig("query");
    var limits = new QueryLimits(query.getInt("max-query-length"), query.getInt("max-terms"),
        query.getInt("max-conversation-id-length"), query.getInt("default-limit"), query.getInt("max-limit"),
        query.getBytes("max-result-bytes"), query.getInt("max-in-flight"), query.getDuration("retry-after"));
    if (limits.defaultLimit() < 1 || limits.defaultLimit() > limits.maxLimit() || limits.maxTerms() < 1
        || limits.maxQueryLength() < 1 || limits.maxInFlight() < 1) {
      throw new IllegalArgumentException("herald.search.query: 1 <= default-limit <= max-limit, and max-terms, "
          + "max-query-length and max-in-flight at least 1");
    }
    return new SearchSettings(search.getBoolean("enabled"), solr.getString("base-url"), solr.getString("collection"),
        solr.getInt("shards"), solr.getInt("replication-factor"), solr.getDuration("request-timeout"),
        solr.getDuration("update-timeout"), solr.getDuration("admin-timeout"),
        projection.getString("role"), projection.getInt("group-after-events"), projection.getDuration("group-after"),
        projection.getDuration("restart-min-backoff"), projection.getDuration("restart-max-backoff"), limits);
  }
}
