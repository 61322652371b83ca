package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;

/**
 * The secret key: a uniform ternary polynomial {@code s}, held as its coefficients and in NTT form
 * over all ciphertext primes (and the special primes, for key switching).
 *
 * <p>Its values are reachable only with a {@link SecretKeyAccess} token; {@link #toString()} shows
 * sizes only. Immutable and thread-safe.
 */
public final class SecretKey implements HeObject {
  private final RlweParameters params;
  private final long[] ternary;
  private final RnsPoly sQ;
  private final RnsPoly sQP;

  SecretKey(RlweParameters params, long[] ternary, RnsPoly sQP) {
    this.params = params;
    this.ternary = ternary;
    this.sQP = sQP;
    // The ciphertext primes come first in Q·P: s over Q is a view of the same limbs.
    this.sQ = sQP.prefixView(params.qCount());
  }

  /**
   * Rebuilds a key from its ternary coefficients (as read from storage).
   *
   * @throws IllegalArgumentException if there are not N coefficients in {-1, 0, 1}
   */
  public static SecretKey fromTernary(RlweContext context, long[] coefficients, SecretKeyAccess access) {
    SecretKeyAccess.require(access);
    RlweParameters params = context.parameters();
    if (coefficients.length != params.n()) {
      throw new IllegalArgumentException("secret key needs " + params.n() + " coefficients");
    }
    int weight = 0;
    for (long c : coefficients) {
      if (c < -1 || c > 1) {
        throw new IllegalArgumentException("secret key coefficients must be in {-1, 0, 1}");
      }
      weight += c != 0 ? 1 : 0;
    }
    int h = params.secretHammingWeight();
    if (h > 0 && weight != h) {
      throw new IllegalArgumentException(
          "the parameters' secret has Hamming weight " + h + ", these coefficients have " + weight);
    }
    long[] copy = coefficients.clone();
    RnsPoly sQP = context.ring().fromSigned(context.basisQPAtLevel(params.maxLevel()), copy);
    context.ring().toNtt(sQP);
    return new SecretKey(params, copy, sQP);
  }

  @Override
  public RlweParameters parameters() {
    return params;
  }

  /** The ternary coefficients (a copy). */
  public long[] ternaryCoefficients(SecretKeyAccess access) {
    SecretKeyAccess.require(access);
    return ternary.clone();
  }

  /** {@code s} in NTT form over all ciphertext primes; read-only, package use. */
  RnsPoly nttQ() {
    return sQ;
  }

  /** {@code s} in NTT form over all ciphertext primes followed by the special primes. */
  RnsPoly nttQP() {
    return sQP;
  }

  @Override
  public String toString() {
    return "SecretKey(N=" + params.n() + ", " + params.qCount() + "+" + params.pCount()
        + " primes, params=" + params.shortHash() + ")";
  }
}
