package io.polyhe.client;

/**
 * How the server refreshes ciphertexts that ran out of levels, as its manifest declares ({@code
 * ModelManifest.refresh}).
 */
public enum RefreshMode {
  /** Client-aided: the server sends refresh requests that this client answers (decrypt, re-encrypt). */
  CLIENT,
  /**
   * Non-interactive bootstrapping on the server with the uploaded keys: the server sends no refresh
   * request, and this client refuses one (the call fails) rather than decrypt for it.
   */
  BOOTSTRAP;

  /**
   * The mode of a manifest's {@code refresh} field; empty (servers before the field) is {@link #CLIENT}.
   *
   * @throws IllegalArgumentException for any other value
   */
  static RefreshMode fromManifest(String value) {
    return switch (value) {
      case "", "client" -> CLIENT;
      case "bootstrap" -> BOOTSTRAP;
      default -> throw new IllegalArgumentException("manifest's refresh mode '" + value + "' is unknown");
    };
  }
}
