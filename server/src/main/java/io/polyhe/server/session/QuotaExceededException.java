package io.polyhe.server.session;

/** A new upload would take more session places than the store or the caller may hold. */
public final class QuotaExceededException extends SessionException {
  private static final long serialVersionUID = 1L;

  public QuotaExceededException(String message) {
    super(message);
  }
}
