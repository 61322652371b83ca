package io.polyhe.cli.bench.peer;

/**
 * The SEAL peer could not be installed or started, died, timed out, or answered a request with an
 * error; the message carries the peer's own error text where there is one, and what to run where
 * the fix is on the user's side.
 */
public final class SealPeerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SealPeerException(String message) {
    super(message);
  }

  public SealPeerException(String message, Throwable cause) {
    super(message, cause);
  }
}
