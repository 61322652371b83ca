package io.polyhe.server.session;

/** The session's keys are for another model than the one asked for. */
public final class SessionModelMismatchException extends SessionException {
  private static final long serialVersionUID = 1L;

  public SessionModelMismatchException(String message) {
    super(message);
  }
}
