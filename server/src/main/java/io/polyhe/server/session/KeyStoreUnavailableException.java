package io.polyhe.server.session;

/**
 * The key store cannot be reached now (an object store that times out or answers 5xx): nothing
 * was changed, and the client may retry. The disk store never throws it (a local I/O error is a
 * server fault); remote stores do, and log the cause themselves, since it never reaches the client.
 */
public final class KeyStoreUnavailableException extends SessionException {
  private static final long serialVersionUID = 1L;

  public KeyStoreUnavailableException(String message) {
    super(message);
  }
}
