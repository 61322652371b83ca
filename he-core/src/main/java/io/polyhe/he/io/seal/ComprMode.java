package io.polyhe.he.io.seal;

import io.polyhe.he.io.HeFormatException;

/**
 * SEAL's compression modes, the byte at offset 5 of its header. {@code zlib} is recognised so
 * that the error names it, but not supported: polyhe reads and writes {@link #NONE} and {@link
 * #ZSTD} only.
 */
public enum ComprMode {
  NONE(0),
  ZSTD(2);

  private final int code;

  ComprMode(int code) {
    this.code = code;
  }

  /** The value SEAL writes for this mode. */
  public int code() {
    return code;
  }

  /**
   * The mode of header byte {@code code}.
   *
   * @throws HeFormatException for zlib (1) or an unknown mode, naming the value
   */
  public static ComprMode ofCode(int code) {
    return switch (code) {
      case 0 -> NONE;
      case 2 -> ZSTD;
      case 1 -> throw new HeFormatException(
          "SEAL header: compression mode 1 (zlib) is not supported; use none (0) or zstd (2)");
      default -> throw new HeFormatException(
          "SEAL header: unknown compression mode " + code + "; expected none (0) or zstd (2)");
    };
  }
}
