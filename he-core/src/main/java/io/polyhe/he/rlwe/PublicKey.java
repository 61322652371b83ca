package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;

/**
 * The public key {@code (b, a) = (-a·s + e, a)} over all ciphertext and special primes ({@code
 * Q·P}), NTT form. Encrypting over {@code Q·P} and dividing by {@code P} afterwards shrinks the
 * encryption noise to rounding size (as Microsoft SEAL does). {@code a} is expanded from a 32-byte
 * seed, which is what is stored. Immutable and thread-safe.
 */
public final class PublicKey implements HeObject {
  private final RlweParameters params;
  private final RnsPoly b;
  private final RnsPoly a;
  private final byte[] seed;

  /** Takes ownership of {@code b} and {@code a}; {@code a} must be the expansion of {@code seed}. */
  PublicKey(RlweParameters params, RnsPoly b, RnsPoly a, byte[] seed) {
    this.params = params;
    this.b = b;
    this.a = a;
    this.seed = seed == null ? null : seed.clone();
  }

  /**
   * A public key from explicit {@code b} and {@code a} (as read from SEAL's format, whose seed
   * expands differently). It has no polyhe seed: {@link #hasSeed()} is false.
   *
   * @throws IllegalArgumentException unless both are reduced and in NTT form over all ciphertext and
   *     special primes
   */
  public static PublicKey ofPolynomials(RlweContext context, RnsPoly b, RnsPoly a) {
    var basis = context.basisQPAtLevel(context.parameters().maxLevel());
    for (RnsPoly p : new RnsPoly[] {b, a}) {
      if (!p.isNtt() || !p.basis().sameAs(basis)) {
        throw new IllegalArgumentException("public key parts must be in NTT form over all ciphertext and special primes");
      }
      p.checkReduced();
    }
    return new PublicKey(context.parameters(), b, a, null);
  }

  /**
   * Rebuilds a public key from {@code b} and the seed of {@code a} (as read from storage).
   *
   * @throws IllegalArgumentException if {@code b} is not in NTT form over {@link
   *     RlweContext#basisQPAtLevel} of the top level, or not reduced
   */
  public static PublicKey fromSeed(RlweContext context, RnsPoly b, byte[] seed) {
    if (!b.isNtt() || !b.basis().sameAs(context.basisQPAtLevel(context.parameters().maxLevel()))) {
      throw new IllegalArgumentException(
          "public key b must be in NTT form over all ciphertext and special primes");
    }
    b.checkReduced();
    RnsPoly a = KeyGenerator.expandPublicKeyA(context, seed);
    return new PublicKey(context.parameters(), b, a, seed);
  }

  @Override
  public RlweParameters parameters() {
    return params;
  }

  /** {@code b}; read-only. */
  public RnsPoly b() {
    return b;
  }

  /** {@code a}; read-only. */
  public RnsPoly a() {
    return a;
  }

  /** True if {@code a} is the expansion of a polyhe seed ({@link #seed()}). */
  public boolean hasSeed() {
    return seed != null;
  }

  /**
   * The seed of {@code a} (a copy).
   *
   * @throws IllegalStateException if built from explicit polynomials ({@link #ofPolynomials})
   */
  public byte[] seed() {
    if (seed == null) {
      throw new IllegalStateException("this public key has no polyhe seed (it was built from explicit "
          + "polynomials, e.g. read from SEAL's format); write it in the format it came from");
    }
    return seed.clone();
  }

  @Override
  public String toString() {
    return "PublicKey(N=" + params.n() + ", " + params.qCount() + " primes, params="
        + params.shortHash() + ")";
  }
}
