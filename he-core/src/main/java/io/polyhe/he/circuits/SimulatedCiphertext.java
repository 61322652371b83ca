package io.polyhe.he.circuits;

/**
 * What a dry run knows of a ciphertext: its level, scale and number of polynomials.
 *
 * @param level remaining rescales, {@code 0..maxLevel}
 * @param scale the scale, finite and at least 1
 * @param size 2, or 3 after a product before relinearisation
 */
public record SimulatedCiphertext(int level, double scale, int size) {
  public SimulatedCiphertext {
    if (level < 0) {
      throw new IllegalArgumentException("level must be >= 0, got " + level);
    }
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
    if (size < 2 || size > 3) {
      throw new IllegalArgumentException("a ciphertext has 2 or 3 parts, got " + size);
    }
  }

  /** A fresh 2-part ciphertext at {@code level} and {@code scale}. */
  public static SimulatedCiphertext of(int level, double scale) {
    return new SimulatedCiphertext(level, scale, 2);
  }

  @Override
  public String toString() {
    return String.format("Sim(level=%d, scale=2^%.4f, size=%d)", level, Math.log(scale) / Math.log(2), size);
  }
}
