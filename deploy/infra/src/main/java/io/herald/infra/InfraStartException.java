package io.herald.infra;

/**
 * A Kafka broker or Cassandra node (or the resolution of its classpath) could not be started. The message carries the
 * last lines of the child's log, which is where the real cause usually is.
 */
public class InfraStartException extends RuntimeException {

    public InfraStartException(String message) {
        super(message);
    }

    public InfraStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
