package io.polyhe.he.ckks;

import io.polyhe.he.rlwe.RlweParameters;
import java.util.Arrays;

/**
 * Validated, immutable CKKS parameters: the ring-LWE parameters plus the default scale
 * {@code Δ = 2^logDefaultScale} at which values are encoded.
 *
 * <p>{@link #of(Literal)} enforces 128-bit security through {@link RlweParameters#of}; {@link
 * #insecureForTestsOnly(Literal)} is the explicit opt-out for tests.
 */
public final class CkksParameters {

  /**
   * Plain description of CKKS parameters.
   *
   * @param logN ring degree exponent (12..16 for secure parameters)
   * @param logQ bit sizes of the ciphertext primes, {@code q_0} first
   * @param logP bit sizes of the special primes used by key switching
   * @param logDefaultScale log2 of the default scale
   * @param dnum key-switching digits at the top level; 0 chooses automatically
   * @param secretHammingWeight 0 for a uniform ternary secret, else the exact number of non-zero
   *     coefficients of a sparse ternary secret
   */
  public record Literal(int logN, int[] logQ, int[] logP, int logDefaultScale, int dnum, int secretHammingWeight) {
    public Literal {
      logQ = logQ.clone();
      logP = logP == null ? new int[0] : logP.clone();
    }

    /** A literal with a uniform ternary secret. */
    public Literal(int logN, int[] logQ, int[] logP, int logDefaultScale, int dnum) {
      this(logN, logQ, logP, logDefaultScale, dnum, 0);
    }

    /** A literal with an automatically chosen number of key-switching digits. */
    public Literal(int logN, int[] logQ, int[] logP, int logDefaultScale) {
      this(logN, logQ, logP, logDefaultScale, 0);
    }

    @Override
    public int[] logQ() {
      return logQ.clone();
    }

    @Override
    public int[] logP() {
      return logP.clone();
    }

    /** The ring part of this literal. */
    public RlweParameters.Literal ring() {
      return new RlweParameters.Literal(logN, logQ, logP, dnum, secretHammingWeight);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Literal l && l.ring().equals(ring()) && l.logDefaultScale == logDefaultScale;
    }

    @Override
    public int hashCode() {
      return ring().hashCode() * 31 + logDefaultScale;
    }

    @Override
    public String toString() {
      return "Literal(logN=" + logN + ", logQ=" + Arrays.toString(logQ) + ", logP="
          + Arrays.toString(logP) + ", logDefaultScale=" + logDefaultScale + ", dnum=" + dnum
          + (secretHammingWeight > 0 ? ", h=" + secretHammingWeight : "") + ")";
    }
  }

  private final RlweParameters rlwe;
  private final double defaultScale;

  private CkksParameters(RlweParameters rlwe, double defaultScale) {
    if (!(defaultScale >= 2) || Double.isInfinite(defaultScale)) {
      throw new IllegalArgumentException("default scale must be finite and >= 2, got " + defaultScale);
    }
    double logScale = Math.log(defaultScale) / Math.log(2);
    double logQ0 = Math.log(rlwe.q(0)) / Math.log(2);
    if (logScale >= logQ0) {
      throw new IllegalArgumentException(String.format(
          "default scale 2^%.1f must be below q_0 (2^%.1f) or level-0 values cannot be decrypted",
          logScale, logQ0));
    }
    this.rlwe = rlwe;
    this.defaultScale = defaultScale;
  }

  /** Secure parameters; throws {@link IllegalArgumentException} with the limit if insecure. */
  public static CkksParameters of(Literal literal) {
    return new CkksParameters(RlweParameters.of(literal.ring()), Math.scalb(1.0, literal.logDefaultScale()));
  }

  /** Parameters without the security check, for tests only. */
  public static CkksParameters insecureForTestsOnly(Literal literal) {
    return new CkksParameters(
        RlweParameters.insecureForTestsOnly(literal.ring()), Math.scalb(1.0, literal.logDefaultScale()));
  }

  /** CKKS parameters over existing ring parameters (as read from the binary format). */
  public static CkksParameters of(RlweParameters rlwe, double defaultScale) {
    return new CkksParameters(rlwe, defaultScale);
  }

  public RlweParameters rlwe() {
    return rlwe;
  }

  public int logN() {
    return rlwe.logN();
  }

  public int n() {
    return rlwe.n();
  }

  /** Number of complex slots, N/2. */
  public int slots() {
    return rlwe.n() / 2;
  }

  public int maxLevel() {
    return rlwe.maxLevel();
  }

  public double defaultScale() {
    return defaultScale;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CkksParameters p && p.rlwe.sameAs(rlwe)
        && Double.compare(p.defaultScale, defaultScale) == 0;
  }

  @Override
  public int hashCode() {
    return rlwe.hashCode() * 31 + Double.hashCode(defaultScale);
  }

  @Override
  public String toString() {
    return "CkksParameters(" + rlwe + ", scale=2^"
        + String.format("%.1f", Math.log(defaultScale) / Math.log(2)) + ")";
  }
}
