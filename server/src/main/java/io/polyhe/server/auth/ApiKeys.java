package io.polyhe.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer API keys and the callers they name. Only SHA-256 digests of the keys are kept; a
 * presented key is compared with every digest in constant time, so neither timing nor a heap dump
 * reveals a key. Immutable; thread-safe.
 *
 * <p>File format ({@code --api-keys FILE}): one {@code caller:key} per line; blank lines and lines
 * starting with {@code #} are ignored. Keys must be at least 16 characters.
 */
public final class ApiKeys {
  /** Shortest key accepted. */
  public static final int MIN_KEY_LENGTH = 16;

  private final Map<String, byte[]> digestByCaller;

  private ApiKeys(Map<String, byte[]> digestByCaller) {
    this.digestByCaller = Map.copyOf(digestByCaller);
  }

  /**
   * Keys from {@code caller -> key} pairs.
   *
   * @throws IllegalArgumentException for an empty map, a short key, a bad caller name, or a key used
   *     twice
   */
  public static ApiKeys of(Map<String, String> keyByCaller) {
    if (keyByCaller.isEmpty()) {
      throw new IllegalArgumentException("no API keys given");
    }
    Map<String, byte[]> out = new HashMap<>();
    for (var e : keyByCaller.entrySet()) {
      if (!validCaller(e.getKey())) {
        // The name is not echoed: a line written key:caller would print the key.
        throw new IllegalArgumentException("a caller name is not 1-64 of [A-Za-z0-9._@-] or is the reserved 'anonymous'");
      }
      if (e.getValue().length() < MIN_KEY_LENGTH) {
        throw new IllegalArgumentException("API key of caller '" + e.getKey() + "' is shorter than "
            + MIN_KEY_LENGTH + " characters");
      }
      byte[] d = digest(e.getValue());
      for (byte[] other : out.values()) {
        if (MessageDigest.isEqual(other, d)) {
          throw new IllegalArgumentException("two callers share an API key");
        }
      }
      out.put(e.getKey(), d);
    }
    return new ApiKeys(out);
  }

  /**
   * Reads a key file.
   *
   * @throws IllegalArgumentException naming the line number of a malformed line (never its content)
   */
  public static ApiKeys read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected caller:key");
      }
      if (!validCaller(line.substring(0, colon))) {
        throw new IllegalArgumentException(file + " line " + (i + 1)
            + ": the caller name (before the colon) must be 1-64 of [A-Za-z0-9._@-], not 'anonymous'");
      }
      if (m.put(line.substring(0, colon), line.substring(colon + 1)) != null) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": caller named twice");
      }
    }
    return of(m);
  }

  // 'anonymous' is the caller of a server without API keys: no key may claim its sessions.
  private static boolean validCaller(String name) {
    return name.matches("[A-Za-z0-9._@-]{1,64}") && !name.equals("anonymous");
  }

  /** The caller whose key is {@code presented}, if any. */
  public Optional<Caller> authenticate(String presented) {
    byte[] d = digest(presented);
    Caller found = null;
    // Compare with every entry (no early exit) so the time does not depend on which one matches.
    for (var e : digestByCaller.entrySet()) {
      if (MessageDigest.isEqual(e.getValue(), d)) {
        found = new Caller(e.getKey());
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys(" + digestByCaller.size() + " callers)";
  }
}
