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
  private final RnsPoly sP;
  private final RnsPoly sQP;

  SecretKey(RlweParameters params, long[] ternary, RnsPoly sQ, RnsPoly sP, RnsPoly sQP) {
    this.params = params;
    this.ternary = ternary;
    this.sQ = sQ;
    this.sP = sP;
    this.sQP = sQP;
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
    for (long c : coefficients) {
      if (c < -1 || c > 1) {
        throw new IllegalArgumentException("secret key coefficients must be in {-1, 0, 1}");
      }
    }
    long[] copy = coefficients.clone();
    RnsPoly sQ = context.ring().fromSigned(context.basisQ(), copy);
    context.ring().toNtt(sQ);
    RnsPoly sQP = context.ring().fromSigned(context.basisQPAtLevel(params.maxLevel()), copy);
    context.ring().toNtt(sQP);
    RnsPoly sP = null;
    if (params.pCount() > 0) {
      long[][] pLimbs = new long[params.pCount()][];
      for (int i = 0; i < pLimbs.length; i++) {
        pLimbs[i] = sQP.limb(params.qCount() + i);
      }
      sP = new RnsPoly(context.basisP(), pLimbs, true);
    }
    return new SecretKey(params, copy, sQ, sP, sQP);
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

  /** {@code s} in NTT form over the special primes, or null. */
  RnsPoly nttP() {
    return sP;
  }

  @Override
  public String toString() {
    return "SecretKey(N=" + params.n() + ", " + params.qCount() + "+" + params.pCount()
        + " primes, params=" + params.shortHash() + ")";
  }
}
