package io.herald.infra.solr;

/**
 * Solr could not answer: nothing listens, the connection broke, the request timed out, or Solr said 503 (no live
 * replica for a shard, shutting down). The request may succeed later; callers answer "retry later", never a guess.
 */
public class SolrUnavailableException extends RuntimeException {

    public SolrUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public SolrUnavailableException(String message) {
        super(message);
    }
}
