package io.polyhe.he.math;

/**
 * Precomputed tables of the negacyclic number-theoretic transform of length {@code N = 2^logN}
 * modulo one prime {@code q ≡ 1 mod 2N}.
 *
 * <p>{@code psi} is the smallest primitive 2N-th root of unity mod q (a deterministic choice, so
 * NTT-form data is identical on every machine). The forward transform is Cooley–Tukey with
 * bit-reversed twiddles: it maps coefficients in natural order to the evaluations
 * {@code a(psi^(2·bitrev(j)+1))} at index {@code j}. The inverse is Gentleman–Sande with the
 * inverse twiddles, followed by the factor {@code 1/N}. Each twiddle carries its Shoup constant.
 * Immutable and thread-safe; the arrays are exposed to backends, which must not write them.
 */
public final class NttTables {
  private final Modulus modulus;
  private final int logN;
  private final int n;
  private final long psi;
  /** {@code psi^bitrev(k)} for k in [0, N). */
  private final long[] rootPowers;
  private final long[] rootPowersShoup;
  /** {@code psi^-bitrev(k)} for k in [0, N). */
  private final long[] invRootPowers;
  private final long[] invRootPowersShoup;
  private final long nInv;
  private final long nInvShoup;
  private final long lastInverseTwiddle;
  private final long lastInverseTwiddleShoup;

  public NttTables(Modulus modulus, int logN) {
    if (logN < 1 || logN > 17) {
      throw new IllegalArgumentException("logN must be in [1, 17], got " + logN);
    }
    long q = modulus.value();
    long twoN = 1L << (logN + 1);
    if ((q - 1) % twoN != 0) {
      throw new IllegalArgumentException(q + " is not 1 mod 2N = " + twoN);
    }
    this.modulus = modulus;
    this.logN = logN;
    this.n = 1 << logN;
    this.psi = minimalPrimitiveRoot(modulus, twoN);
    long psiInv = modulus.inverse(psi);
    rootPowers = new long[n];
    rootPowersShoup = new long[n];
    invRootPowers = new long[n];
    invRootPowersShoup = new long[n];
    long power = 1;
    long invPower = 1;
    for (int i = 0; i < n; i++) {
      int k = bitReverse(i, logN);
      rootPowers[k] = power;
      invRootPowers[k] = invPower;
      power = modulus.mul(power, psi);
      invPower = modulus.mul(invPower, psiInv);
    }
    for (int i = 0; i < n; i++) {
      rootPowersShoup[i] = modulus.shoup(rootPowers[i]);
      invRootPowersShoup[i] = modulus.shoup(invRootPowers[i]);
    }
    nInv = modulus.inverse(n);
    nInvShoup = modulus.shoup(nInv);
    lastInverseTwiddle = modulus.mul(invRootPowers[1], nInv);
    lastInverseTwiddleShoup = modulus.shoup(lastInverseTwiddle);
  }

  /** Smallest primitive {@code order}-th root of unity modulo q, order a power of two. */
  private static long minimalPrimitiveRoot(Modulus m, long order) {
    long q = m.value();
    long exponent = (q - 1) / order;
    long root = -1;
    // Find any primitive root of the 2N-th roots subgroup, then the smallest of its odd powers.
    for (long g = 2; g < q; g++) {
      long candidate = m.pow(g, exponent);
      if (m.pow(candidate, order / 2) == q - 1) {
        root = candidate;
        break;
      }
    }
    if (root < 0) {
      throw new IllegalStateException("no primitive root of order " + order + " mod " + q);
    }
    long square = m.mul(root, root);
    long best = root;
    long current = root;
    for (long i = 1; i < order / 2; i++) {
      current = m.mul(current, square);
      if (Long.compareUnsigned(current, best) < 0) {
        best = current;
      }
    }
    return best;
  }

  public static int bitReverse(int x, int bits) {
    return bits == 0 ? 0 : Integer.reverse(x) >>> (32 - bits);
  }

  public Modulus modulus() {
    return modulus;
  }

  public int logN() {
    return logN;
  }

  public int n() {
    return n;
  }

  /** The primitive 2N-th root of unity the transform evaluates at. */
  public long psi() {
    return psi;
  }

  public long[] rootPowers() {
    return rootPowers;
  }

  public long[] rootPowersShoup() {
    return rootPowersShoup;
  }

  public long[] invRootPowers() {
    return invRootPowers;
  }

  public long[] invRootPowersShoup() {
    return invRootPowersShoup;
  }

  public long nInv() {
    return nInv;
  }

  public long nInvShoup() {
    return nInvShoup;
  }

  /** {@code psi^-bitrev(1) · N^-1}: the inverse transform's last-stage twiddle with 1/N folded in. */
  public long lastInverseTwiddle() {
    return lastInverseTwiddle;
  }

  public long lastInverseTwiddleShoup() {
    return lastInverseTwiddleShoup;
  }
}
