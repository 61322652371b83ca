package io.polyhe.server.session;

/**
 * No such session for this caller: unknown, expired, deleted, or another caller's (one answer for
 * all, so ids of other callers cannot be probed).
 */
public final class SessionNotFoundException extends SessionException {
  private static final long serialVersionUID = 1L;

  public SessionNotFoundException(String message) {
    super(message);
  }
}
