package io.herald.load.node;

/** The node's process, named by {@code --node-pid}, cannot be read or acted on: the run cannot measure it. */
public final class NodeProcessException extends IllegalStateException {
  public NodeProcessException(String message, Throwable cause) {
    super(message, cause);
  }

  public NodeProcessException(String message) {
    super(message);
  }
}
