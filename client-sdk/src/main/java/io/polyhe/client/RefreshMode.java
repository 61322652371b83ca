package io.polyhe.client;

/**
 * How the server refreshes ciphertexts that ran out of levels, as its manifest declares ({@code
 * ModelManifest.refresh}, the proto enum {@code polyhe.v1.RefreshMode}).
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
   * The mode of a manifest's {@code refresh} field (its number); unset (servers before the field)
   * is {@link #CLIENT}.
   *
   * @throws IllegalArgumentException for a value this client does not know (a newer server's)
   */
  static RefreshMode fromManifest(int value) {
    var mode = io.polyhe.proto.v1.RefreshMode.forNumber(value);
    if (mode == null) {
      throw new IllegalArgumentException("manifest's refresh mode " + value + " is unknown to this client");
    }
    return switch (mode) {
      case REFRESH_MODE_UNSPECIFIED, REFRESH_MODE_CLIENT -> CLIENT;
      case REFRESH_MODE_BOOTSTRAP -> BOOTSTRAP;
      case UNRECOGNIZED -> throw new AssertionError("forNumber never returns UNRECOGNIZED");
    };
  }
}
