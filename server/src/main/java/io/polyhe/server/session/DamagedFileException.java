package io.polyhe.server.session;

import java.io.IOException;

/**
 * Proof that a stored session is damaged (as opposed to unreadable now): a missing or malformed
 * description, a key file missing, of another size than described, or failing its SHA-256. A
 * {@link KeyStore} that finds one reports the session lost and removes it.
 */
public final class DamagedFileException extends IOException {
  private static final long serialVersionUID = 1L;

  public DamagedFileException(String message) {
    super(message);
  }
}
