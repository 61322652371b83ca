package io.polyhe.he.ring;

/**
 * A polynomial of {@code Z_Q[X]/(X^N+1)} in RNS form: one limb of N residues per prime of its
 * basis, either in coefficient form or in NTT (evaluation) form.
 *
 * <p>Mutable: the ring operations of {@link RnsRing} write into it. Objects of the layers above
 * (plaintexts, ciphertexts, keys) own their polynomials and never hand them out for writing.
 * Invariant: every residue of limb i is in {@code [0, q_i)}. Not thread-safe for writers.
 */
public final class RnsPoly {
  private final RnsBasis basis;
  private final long[][] limbs;
  private boolean ntt;

  /** A zero polynomial over {@code basis}. */
  public RnsPoly(RnsBasis basis, boolean ntt) {
    this.basis = basis;
    this.limbs = new long[basis.size()][basis.n()];
    this.ntt = ntt;
  }

  /**
   * Wraps existing limbs (not copied). Every residue must already be reduced; {@link
   * #checkReduced()} verifies it where the data comes from outside.
   */
  public RnsPoly(RnsBasis basis, long[][] limbs, boolean ntt) {
    if (limbs.length != basis.size()) {
      throw new IllegalArgumentException(
          "expected " + basis.size() + " limbs, got " + limbs.length);
    }
    for (long[] limb : limbs) {
      if (limb.length != basis.n()) {
        throw new IllegalArgumentException(
            "expected limbs of " + basis.n() + " coefficients, got " + limb.length);
      }
    }
    this.basis = basis;
    this.limbs = limbs;
    this.ntt = ntt;
  }

  public RnsBasis basis() {
    return basis;
  }

  public int limbCount() {
    return limbs.length;
  }

  public int n() {
    return basis.n();
  }

  public boolean isNtt() {
    return ntt;
  }

  void setNtt(boolean ntt) {
    this.ntt = ntt;
  }

  /** Limb {@code i}, shared: writing it changes this polynomial. */
  public long[] limb(int i) {
    return limbs[i];
  }

  /** All limbs, shared. */
  public long[][] limbs() {
    return limbs;
  }

  /** A deep copy. */
  public RnsPoly copy() {
    long[][] c = new long[limbs.length][];
    for (int i = 0; i < limbs.length; i++) {
      c[i] = limbs[i].clone();
    }
    return new RnsPoly(basis, c, ntt);
  }

  /**
   * A view of the first {@code count} limbs that shares their arrays (no copy): for reading, e.g.
   * a key at a lower level. Writing the view writes this polynomial.
   */
  public RnsPoly prefixView(int count) {
    if (count == limbs.length) {
      return this;
    }
    return new RnsPoly(basis.prefix(count), java.util.Arrays.copyOf(limbs, count), ntt);
  }

  /** A deep copy of the first {@code count} limbs (dropping the rest of the basis). */
  public RnsPoly copyPrefix(int count) {
    RnsBasis b = basis.prefix(count);
    long[][] c = new long[count][];
    for (int i = 0; i < count; i++) {
      c[i] = limbs[i].clone();
    }
    return new RnsPoly(b, c, ntt);
  }

  /**
   * Throws {@link IllegalArgumentException} naming the first residue that is not below its
   * modulus.
   */
  public void checkReduced() {
    for (int i = 0; i < limbs.length; i++) {
      long q = basis.modulus(i).value();
      long[] limb = limbs[i];
      for (int j = 0; j < limb.length; j++) {
        if (limb[j] < 0 || limb[j] >= q) {
          throw new IllegalArgumentException(
              "coefficient " + j + " of limb " + i + " is out of range [0, " + q + ")");
        }
      }
    }
  }

  /** Exact equality of basis, form and every residue (for tests and validation). */
  public boolean sameValueAs(RnsPoly other) {
    if (!basis.sameAs(other.basis) || ntt != other.ntt) {
      return false;
    }
    for (int i = 0; i < limbs.length; i++) {
      if (!java.util.Arrays.equals(limbs[i], other.limbs[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "RnsPoly(" + basis + ", " + (ntt ? "ntt" : "coeff") + ")";
  }
}
