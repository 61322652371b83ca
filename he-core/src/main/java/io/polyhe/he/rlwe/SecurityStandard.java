package io.polyhe.he.rlwe;

/**
 * The HomomorphicEncryption.org security standard (2018), classical 128-bit column for a uniform
 * ternary secret and error σ = 3.2: the largest {@code log2(Q·P)} per ring degree.
 */
public final class SecurityStandard {
  private SecurityStandard() {}

  /** Max log2(QP) for 128-bit classical security at {@code N = 2^logN}, or -1 if none listed. */
  public static int maxLogQP128(int logN) {
    return switch (logN) {
      case 10 -> 27;
      case 11 -> 54;
      case 12 -> 109;
      case 13 -> 218;
      case 14 -> 438;
      case 15 -> 881;
      case 16 -> 1772;
      default -> -1;
    };
  }
}
