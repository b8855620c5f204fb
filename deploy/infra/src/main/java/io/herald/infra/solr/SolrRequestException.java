package io.herald.infra.solr;

/** Solr answered, and refused the request (a 4xx, or a 5xx other than 503): repeating it would not help. */
public class SolrRequestException extends RuntimeException {

    private final int status;

    public SolrRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status Solr answered with. */
    public int status() {
        return status;
    }
}
