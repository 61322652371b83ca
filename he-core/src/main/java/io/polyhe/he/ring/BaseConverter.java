package io.polyhe.he.ring;

import io.polyhe.he.math.Modulus;
import java.math.BigInteger;

/**
 * Centred fast base conversion from one RNS basis {@code {q_i}} (product D) to another {@code
 * {t_k}}: {@code Σ_i [x_i·(D/q_i)^-1]_{q_i}·(D/q_i) mod t_k} with each bracket taken in {@code
 * (-q_i/2, q_i/2]}. The result represents {@code x + u·D} for the centred {@code x} and a small
 * {@code |u| ≤ |{q_i}|/2} of mean about zero (no exact correction): key switching tolerates that
 * error, since the extra multiple of D vanishes modulo the ciphertext primes, and centring keeps
 * the ModDown rounding unbiased (a biased error would be multiplied by {@code s} into a
 * coherent slot error of order N·sqrt(N)). Immutable and thread-safe.
 */
public final class BaseConverter {
  private final RnsBasis from;
  private final RnsBasis to;
  private final long[] hatInverse;
  private final long[] hatInverseShoup;
  /** {@code hat[i][k] = (D/q_i) mod t_k}. */
  private final long[][] hat;
  private final long[][] hatShoup;
  /** {@code D mod t_k}. */
  private final long[] dModTo;

  public BaseConverter(RnsBasis from, RnsBasis to) {
    if (from.logN() != to.logN()) {
      throw new IllegalArgumentException("bases of different ring degrees");
    }
    this.from = from;
    this.to = to;
    int m = from.size();
    BigInteger d = BigInteger.ONE;
    for (int i = 0; i < m; i++) {
      d = d.multiply(BigInteger.valueOf(from.modulus(i).value()));
    }
    hatInverse = new long[m];
    hatInverseShoup = new long[m];
    dModTo = new long[to.size()];
    for (int k = 0; k < to.size(); k++) {
      dModTo[k] = d.mod(BigInteger.valueOf(to.modulus(k).value())).longValueExact();
    }
    hat = new long[m][to.size()];
    hatShoup = new long[m][to.size()];
    for (int i = 0; i < m; i++) {
      Modulus qi = from.modulus(i);
      BigInteger dHat = d.divide(BigInteger.valueOf(qi.value()));
      hatInverse[i] = dHat.modInverse(BigInteger.valueOf(qi.value())).longValueExact();
      hatInverseShoup[i] = qi.shoup(hatInverse[i]);
      for (int k = 0; k < to.size(); k++) {
        Modulus tk = to.modulus(k);
        hat[i][k] = dHat.mod(BigInteger.valueOf(tk.value())).longValueExact();
        hatShoup[i][k] = tk.shoup(hat[i][k]);
      }
    }
  }

  public RnsBasis from() {
    return from;
  }

  public RnsBasis to() {
    return to;
  }

  /**
   * Converts coefficient-form limbs {@code in[0..from.size())} into {@code out[0..to.size())}
   * (coefficient form) on {@code ring}'s backend.
   */
  public void convert(RnsRing ring, long[][] in, long[][] out) {
    convert(ring, in, out, to.size());
  }

  /** As {@link #convert(RnsRing, long[][], long[][])} into the first {@code toCount} target primes. */
  public void convert(RnsRing ring, long[][] in, long[][] out, int toCount) {
    if (toCount < 0 || toCount > to.size()) {
      throw new IllegalArgumentException("toCount " + toCount + " out of [0, " + to.size() + "]");
    }
    ring.backend()
        .convertBasis(
            in, from.moduliArray(), hatInverse, hatInverseShoup, from.size(), hat, hatShoup,
            dModTo, out, to.moduliArray(), toCount);
  }
}
