package io.polyhe.he.ckks;

/**
 * Named secure parameter sets, one per ring degree, named by what they guarantee: ring degree,
 * the 128-bit bound on log2(QP) they respect, and the security level. Chains use a 49-bit {@code
 * q_0} (9 bits of decryption headroom over the scale), 40-bit primes for levels (scale 2^40) and
 * special primes for hybrid key switching, enough of them that each key-switching digit stays 8
 * bits below P (so key-switching noise is below rounding noise) with few digits. Every prime is
 * below 2^50, which keeps all limbs on the native backend's AVX-512 IFMA path (52-bit lanes).
 */
public enum CkksPreset {
  /** N = 2^12: primes 36 + 30 bits, one 42-bit special prime, scale 2^30; 1 level (tests). */
  N12_QP109_128(12, new int[] {36, 30}, new int[] {42}, 30),
  /** N = 2^13: primes 49 + 2×40, two 44-bit special primes (3 digits); 2 levels at 2^40. */
  N13_QP218_128(13, new int[] {49, 40, 40}, new int[] {44, 44}, 40),
  /** N = 2^14: primes 49 + 6×40, three 49-bit special primes (3 digits); 6 levels at 2^40. */
  N14_QP438_128(14, chain(49, 40, 6), new int[] {49, 49, 49}, 40),
  /** N = 2^15: primes 49 + 16×40, four 48-bit special primes (5 digits); 16 levels. */
  N15_QP881_128(15, chain(49, 40, 16), new int[] {48, 48, 48, 48}, 40),
  /** N = 2^16: primes 49 + 29×40 (30 primes), six 49-bit special primes (5 digits); 29 levels. */
  N16_QP1772_128(16, chain(49, 40, 29), new int[] {49, 49, 49, 49, 49, 49}, 40);

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
