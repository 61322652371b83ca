package io.polyhe.server.session;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids: 192 bits of {@link SecureRandom}, written as 32 characters of URL-safe base64. An id
 * is also a file or object name in the key store, so anything else is rejected before a store sees
 * it. Stateless; thread-safe.
 */
public final class SessionIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionIds() {}

  /** A new, unguessable id. */
  public static String newId() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code id} has the form of an id (32 URL-safe base64 characters); false for null. */
  public static boolean valid(String id) {
    return id != null && id.length() == 32 && id.chars().allMatch(c -> c >= 'A' && c <= 'Z'
        || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_');
  }

  /** The first characters of {@code id}, for logs: an id is a bearer of access and never logged whole. */
  static String shortForm(String id) {
    return id.substring(0, Math.min(6, id.length())) + "...";
  }
}
