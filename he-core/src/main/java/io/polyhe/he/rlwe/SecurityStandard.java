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

  /**
   * Max log2(QP) for 128-bit security with a sparse ternary secret of Hamming weight {@code h}, or
   * -1 if polyhe has no estimate (the standard's table covers uniform secrets only, and sparse
   * secrets are weaker against hybrid attacks).
   *
   * <p>The one entry: N = 2^16, h ≥ 320, log2(QP) ≤ 1726, from the lattice-estimator
   * (malb/lattice-estimator, BDGL16 reduction cost) output published with Lattigo's bootstrapping
   * parameters: sparse ternary with 160 coefficients +1 and 160 −1, q = 2^1726, σ = 3.2: best attack
   * bdd_mitm_hybrid at about 2^128.5. We did not rerun the estimator; a larger weight is assumed no
   * weaker (more secret entropy). Other (N, h) have no estimate and are refused as secure.
   */
  public static int maxLogQP128Sparse(int logN, int h) {
    if (h <= 0) {
      return maxLogQP128(logN);
    }
    return logN == 16 && h >= 320 ? 1726 : -1;
  }
}
