package io.polyhe.server.session;

/**
 * The stored keys of a session failed their checks when loaded (size, SHA-256, or he-core's
 * validation): the session exists but cannot be served until its keys are uploaded again.
 */
public final class DamagedKeysException extends SessionException {
  private static final long serialVersionUID = 1L;

  public DamagedKeysException(String message) {
    super(message);
  }
}
