package io.polyhe.he.ring;

import io.polyhe.he.math.Modulus;

/**
 * Samplers of ring elements from an {@link Xof}. Every sampler reads the stream in a fixed order,
 * so a seed fully determines its output on every machine (no floating-point in the sampling path:
 * the Gaussian uses an integer cumulative table built once with {@link StrictMath}).
 */
public final class Sampler {
  /** Standard deviation of the error distribution (HomomorphicEncryption.org standard). */
  public static final double SIGMA = 3.2;
  /** Tail bound: |e| ≤ ⌊6σ⌋ = 19. */
  public static final int GAUSSIAN_BOUND = (int) Math.floor(6 * SIGMA);

  /**
   * {@code CDT[k] = round(2^63 · P(|e| ≤ k))} of the rounded Gaussian truncated at the bound;
   * the last entry is 2^63 - 1, so every draw lands in the table.
   */
  private static final long[] CDT = buildCdt();

  private Sampler() {}

  private static long[] buildCdt() {
    double[] weight = new double[GAUSSIAN_BOUND + 1];
    double total = 0;
    for (int k = 0; k <= GAUSSIAN_BOUND; k++) {
      double rho = StrictMath.exp(-(double) k * k / (2 * SIGMA * SIGMA));
      weight[k] = k == 0 ? rho : 2 * rho;
      total += weight[k];
    }
    long[] cdt = new long[GAUSSIAN_BOUND + 1];
    double cumulative = 0;
    for (int k = 0; k <= GAUSSIAN_BOUND; k++) {
      cumulative += weight[k];
      cdt[k] = (long) StrictMath.floor(cumulative / total * 0x1p63);
    }
    cdt[GAUSSIAN_BOUND] = Long.MAX_VALUE;
    return cdt;
  }

  /**
   * A uniform residue of {@code q} by rejection sampling: each candidate is {@code ceil(bits/8)}
   * bytes of the stream masked to {@code bits(q)} bits (q is at least half of 2^bits, so under two
   * candidates are needed on average).
   */
  public static long uniform(Xof xof, Modulus q) {
    long mask = (1L << q.bits()) - 1;
    int bytes = (q.bits() + 7) / 8;
    while (true) {
      long v = xof.nextLong(bytes) & mask;
      if (v < q.value()) {
        return v;
      }
    }
  }

  /**
   * A uniform polynomial over {@code basis}, sampled limb by limb (uniform in each limb is uniform
   * mod the product by the CRT). The result is labelled as NTT form: a uniform polynomial is
   * uniform in either form, and sampling directly in NTT form saves the transforms.
   */
  public static RnsPoly uniformNtt(Xof xof, RnsBasis basis) {
    RnsPoly p = new RnsPoly(basis, true);
    for (int i = 0; i < basis.size(); i++) {
      Modulus q = basis.modulus(i);
      long[] limb = p.limb(i);
      for (int j = 0; j < limb.length; j++) {
        limb[j] = uniform(xof, q);
      }
    }
    return p;
  }

  /** N coefficients uniform in {-1, 0, 1} (bytes ≥ 255 are rejected so each value has p = 1/3). */
  public static long[] ternary(Xof xof, int n) {
    long[] out = new long[n];
    for (int j = 0; j < n; j++) {
      int b;
      do {
        b = xof.nextByte();
      } while (b == 255);
      out[j] = b % 3 - 1;
    }
    return out;
  }

  /**
   * N coefficients in {-1, 0, 1} with exactly {@code h} non-zero, at uniformly random positions
   * (partial Fisher–Yates shuffle, indices by rejection sampling) with uniform signs. Its running
   * time depends on the rejections, not on the secret's values.
   *
   * @throws IllegalArgumentException unless 0 < h ≤ n
   */
  public static long[] sparseTernary(Xof xof, int n, int h) {
    if (h <= 0 || h > n) {
      throw new IllegalArgumentException("Hamming weight must be in (0, " + n + "], got " + h);
    }
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    long[] out = new long[n];
    int bits = 32 - Integer.numberOfLeadingZeros(n);
    for (int i = 0; i < h; i++) {
      int range = n - i;
      int r;
      do {
        r = (int) (xof.nextLong(4) & ((1L << bits) - 1));
      } while (r >= range);
      int j = i + r;
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      out[idx[i]] = (xof.nextByte() & 1) == 0 ? 1 : -1;
    }
    return out;
  }

  /**
   * N coefficients from the rounded Gaussian of σ = 3.2, truncated at |e| ≤ 19. Errors of keys are
   * secret, so each sample scans the whole table and applies its sign without branches (its time
   * does not depend on the value).
   */
  public static long[] gaussian(Xof xof, int n) {
    long[] out = new long[n];
    for (int j = 0; j < n; j++) {
      long r = xof.nextLong();
      long negative = -(r & 1); // all ones when the sign bit is set
      long u = r >>> 1;
      long k = 0;
      for (int i = 0; i < GAUSSIAN_BOUND; i++) {
        k += (CDT[i] - 1 - u) >>> 63; // 1 when u >= CDT[i]
      }
      out[j] = (k ^ negative) - negative;
    }
    return out;
  }
}
