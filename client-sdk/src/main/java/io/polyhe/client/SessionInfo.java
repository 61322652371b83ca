package io.polyhe.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A session stored on the server: this caller's evaluation keys for one model. {@link #toString()}
 * shows only the first characters of the id, which is a bearer of access to the keys.
 *
 * @param id the session id (unguessable; keep it private)
 * @param model the model the keys were made for
 * @param expiresAt when the server deletes the session and its keys
 * @param storedBytes bytes of evaluation keys the server stores for it
 */
public record SessionInfo(String id, String model, Instant expiresAt, long storedBytes) {
  public SessionInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** {@code s}, whose model the upload response leaves out when {@code model} is given. */
  static SessionInfo of(io.polyhe.proto.v1.Session s, String model) {
    return new SessionInfo(s.getSessionId(), s.getModel().isEmpty() ? model : s.getModel(),
        Instant.ofEpochMilli(s.getExpiresAtUnixMillis()), s.getStoredBytes());
  }

  @Override
  public String toString() {
    return "SessionInfo(" + id.substring(0, Math.min(6, id.length())) + "..., " + model + ", expires " + expiresAt
        + ", " + storedBytes + " B)";
  }
}
