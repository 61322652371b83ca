package io.polyhe.server.session;

import io.polyhe.server.auth.Caller;
import java.util.List;

/**
 * What the store knows of a session without loading its keys. Immutable.
 *
 * @param id the unguessable session id
 * @param caller who uploaded the keys; only they may use or delete the session
 * @param model the model the keys are for
 * @param createdMillis upload time (Unix ms)
 * @param expiresMillis expiry (Unix ms)
 * @param galoisElements Galois elements uploaded, in file order
 * @param hasRelinearizationKey whether a relinearisation key was uploaded (it comes first)
 * @param bytes size of the key file
 * @param sha256 hex SHA-256 of the key file, checked on every load
 */
public record SessionRecord(String id, Caller caller, String model, long createdMillis, long expiresMillis,
    List<Integer> galoisElements, boolean hasRelinearizationKey, long bytes, String sha256) {

  public SessionRecord {
    galoisElements = List.copyOf(galoisElements);
  }

  /** Whether the session has expired at {@code nowMillis}. */
  public boolean expiredAt(long nowMillis) {
    return nowMillis >= expiresMillis;
  }

  @Override
  public String toString() {
    // The id is a bearer of access to the keys for its caller: never printed in full.
    return "SessionRecord(" + id.substring(0, 6) + "..., model=" + model + ", " + galoisElements.size()
        + " Galois keys, " + bytes + " bytes)";
  }
}
