package io.polyhe.he.ckks;

/**
 * Named secure parameter sets, one per ring degree, named by what they guarantee: ring degree,
 * the 128-bit bound on log2(QP) they respect, and the security level. Chains use a large
 * {@code q_0} (decryption headroom), 40-bit primes for levels (scale 2^40) and special primes for
 * hybrid key switching.
 */
public enum CkksPreset {
  /** N = 2^12: 2 ciphertext primes (38, 32 bits), one 38-bit special prime, scale 2^32. */
  N12_QP109_128(12, new int[] {38, 32}, new int[] {38}, 32),
  /** N = 2^13: 4 ciphertext primes (50 + 3×40), one 48-bit special prime; 3 levels at 2^40. */
  N13_QP218_128(13, new int[] {50, 40, 40, 40}, new int[] {48}, 40),
  /** N = 2^14: 8 ciphertext primes (60 + 7×40), two 49-bit special primes; 7 levels at 2^40. */
  N14_QP438_128(14, chain(60, 40, 7), new int[] {49, 49}, 40),
  /** N = 2^15: 17 ciphertext primes (60 + 16×40), three 60-bit special primes; 16 levels. */
  N15_QP881_128(15, chain(60, 40, 16), new int[] {60, 60, 60}, 40),
  /** N = 2^16: 30 ciphertext primes (60 + 29×40), five 60-bit special primes; 29 levels. */
  N16_QP1772_128(16, chain(60, 40, 29), new int[] {60, 60, 60, 60, 60}, 40);

  private final CkksParameters.Literal literal;
  private volatile CkksParameters parameters;

  CkksPreset(int logN, int[] logQ, int[] logP, int logScale) {
    this.literal = new CkksParameters.Literal(logN, logQ, logP, logScale);
  }

  private static int[] chain(int first, int rest, int count) {
    int[] c = new int[count + 1];
    java.util.Arrays.fill(c, rest);
    c[0] = first;
    return c;
  }

  public CkksParameters.Literal literal() {
    return literal;
  }

  /** The validated parameters (built once, cached). */
  public CkksParameters parameters() {
    CkksParameters p = parameters;
    if (p == null) {
      p = CkksParameters.of(literal);
      parameters = p;
    }
    return p;
  }

  /** The secure preset for ring degree {@code 2^logN}. */
  public static CkksPreset forLogN(int logN) {
    for (CkksPreset p : values()) {
      if (p.literal.logN() == logN) {
        return p;
      }
    }
    throw new IllegalArgumentException("no preset for logN " + logN + " (have 12..16)");
  }
}
