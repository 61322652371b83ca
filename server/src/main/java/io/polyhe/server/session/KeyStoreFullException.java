package io.polyhe.server.session;

/**
 * The key store has no room for an upload: refused before a byte is written (too little free
 * space for the declared keys) or found full while writing (the partial upload is then removed).
 * The client may retry later.
 */
public final class KeyStoreFullException extends SessionException {
  private static final long serialVersionUID = 1L;

  public KeyStoreFullException(String message) {
    super(message);
  }
}
