package io.polyhe.server.session;

/**
 * A failure of the session store that a client may be told about: the message names what was
 * wrong without echoing key bytes, file paths or other callers' data. The subclasses are the whole
 * vocabulary of the store; the service layer maps each to a status, and the sealed hierarchy makes
 * that mapping exhaustive. No stack trace is recorded (these are answers, not bugs).
 */
public abstract sealed class SessionException extends RuntimeException
    permits SessionNotFoundException, SessionModelMismatchException, DamagedKeysException, QuotaExceededException,
        KeyStoreFullException, KeyStoreUnavailableException {
  private static final long serialVersionUID = 1L;

  SessionException(String message) {
    super(message, null, false, false);
  }
}
