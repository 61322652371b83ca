package io.polyhe.he.ring;

import io.polyhe.he.math.Modulus;

/**
 * Maps residues over an RNS basis back to the centred integer in {@code (-Q/2, Q/2]}, as a double.
 *
 * <p>Uses Garner's mixed-radix conversion with balanced digits {@code v_i ∈ [-(q_i-1)/2,
 * (q_i-1)/2]}: for odd primes these digits cover exactly the centred residue system, so the sign
 * comes out of the digits and Horner evaluation from the top digit loses nothing to cancellation
 * (relative error about 2^-52). Cost: {@code O(L²)} modular products per coefficient. Immutable and
 * thread-safe.
 */
public final class CrtReconstructor {
  private final RnsBasis basis;
  /** {@code inv[j][i] = q_j^-1 mod q_i} for j < i, and its Shoup constant. */
  private final long[][] inv;
  private final long[][] invShoup;

  public CrtReconstructor(RnsBasis basis) {
    this.basis = basis;
    int l = basis.size();
    inv = new long[l][l];
    invShoup = new long[l][l];
    for (int i = 0; i < l; i++) {
      Modulus qi = basis.modulus(i);
      for (int j = 0; j < i; j++) {
        inv[j][i] = qi.inverse(qi.reduceUnsigned(basis.modulus(j).value()));
        invShoup[j][i] = qi.shoup(inv[j][i]);
      }
    }
  }

  public RnsBasis basis() {
    return basis;
  }

  /**
   * Writes the centred value of every coefficient of {@code p} (coefficient form, over this basis)
   * into {@code out}.
   */
  public void toCenteredDoubles(RnsPoly p, double[] out) {
    if (p.isNtt()) {
      throw new IllegalArgumentException("CRT reconstruction needs coefficient form");
    }
    if (!p.basis().sameAs(basis)) {
      throw new IllegalArgumentException("polynomial over " + p.basis() + ", reconstructor over " + basis);
    }
    int l = basis.size();
    int n = p.n();
    long[] digits = new long[l];
    for (int c = 0; c < n; c++) {
      for (int i = 0; i < l; i++) {
        Modulus qi = basis.modulus(i);
        long q = qi.value();
        long t = p.limb(i)[c];
        for (int j = 0; j < i; j++) {
          long vj = digits[j];
          long vjMod = vj >= 0 ? qi.reduceUnsigned(vj) : qi.negate(qi.reduceUnsigned(-vj));
          t = qi.sub(t, vjMod);
          t = qi.mulShoup(t, inv[j][i], invShoup[j][i]);
        }
        digits[i] = t > (q - 1) / 2 ? t - q : t;
      }
      double value = 0;
      for (int i = l - 1; i >= 0; i--) {
        value = value * basis.modulus(i).value() + digits[i];
      }
      out[c] = value;
    }
  }
}
