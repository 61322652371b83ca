package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;

/**
 * A hybrid key-switching key from a secret {@code s'} to the secret {@code s}: one pair per digit
 * {@code j}, {@code (b_j, a_j) = (-a_j·s + e_j + P·g_j·s', a_j)} over all ciphertext and special
 * primes in NTT form, where {@code g_j} is 1 modulo the primes of digit j and 0 modulo the other
 * ciphertext primes. All {@code a_j} are expanded from one 32-byte seed, which is what is stored.
 * Immutable and thread-safe (the Shoup constants some backends use are made once, on first use).
 */
public final class SwitchingKey implements HeObject {
  static final String A_LABEL = "polyhe.swk.a/";

  private final RlweParameters params;
  private final RnsPoly[] b;
  private final RnsPoly[] a;
  private final byte[] seed;
  /** Shoup constants of the b_j and a_j ({b's, a's}), made on first use by a backend that wants them. */
  private volatile RnsPoly[][] shoupConstants;

  SwitchingKey(RlweParameters params, RnsPoly[] b, RnsPoly[] a, byte[] seed) {
    this.params = params;
    this.b = b;
    this.a = a;
    this.seed = seed == null ? null : seed.clone();
  }

  /**
   * A key from explicit polynomials (as read from a format that stores the {@code a_j} or a seed of
   * another expansion, such as SEAL's). It has no polyhe seed: {@link #hasSeed()} is false and
   * polyhe's own format cannot write it.
   *
   * @throws IllegalArgumentException unless there is one reduced NTT-form {@code b_j} and {@code
   *     a_j} over Q·P per digit
   */
  public static SwitchingKey ofPolynomials(RlweContext context, RnsPoly[] b, RnsPoly[] a) {
    RlweParameters params = context.parameters();
    if (b.length != params.dnum() || a.length != params.dnum()) {
      throw new IllegalArgumentException("switching key needs " + params.dnum() + " digits, got "
          + b.length + " b and " + a.length + " a");
    }
    var basis = context.basisQPAtLevel(params.maxLevel());
    for (RnsPoly p : java.util.stream.Stream.concat(java.util.Arrays.stream(b), java.util.Arrays.stream(a)).toList()) {
      if (!p.isNtt() || !p.basis().sameAs(basis)) {
        throw new IllegalArgumentException("switching key digits must be in NTT form over Q·P");
      }
      p.checkReduced();
    }
    return new SwitchingKey(params, b.clone(), a.clone(), null);
  }

  /**
   * Rebuilds a key from its {@code b_j} and the seed of the {@code a_j} (as read from storage).
   *
   * @throws IllegalArgumentException if there is not one reduced NTT-form {@code b_j} over Q·P per
   *     digit
   */
  public static SwitchingKey fromSeed(RlweContext context, RnsPoly[] b, byte[] seed) {
    RlweParameters params = context.parameters();
    if (b.length != params.dnum()) {
      throw new IllegalArgumentException(
          "switching key needs " + params.dnum() + " digits, got " + b.length);
    }
    var basis = context.basisQPAtLevel(params.maxLevel());
    for (RnsPoly bj : b) {
      if (!bj.isNtt() || !bj.basis().sameAs(basis)) {
        throw new IllegalArgumentException("switching key digits must be in NTT form over Q·P");
      }
      bj.checkReduced();
    }
    return new SwitchingKey(params, b.clone(), expandA(context, seed), seed);
  }

  static RnsPoly[] expandA(RlweContext context, byte[] seed) {
    RlweParameters params = context.parameters();
    RnsPoly[] a = new RnsPoly[params.dnum()];
    for (int j = 0; j < a.length; j++) {
      a[j] =
          io.polyhe.he.ring.Sampler.uniformNtt(
              new io.polyhe.he.ring.Xof(seed, A_LABEL + j),
              context.basisQPAtLevel(params.maxLevel()));
    }
    return a;
  }

  @Override
  public RlweParameters parameters() {
    return params;
  }

  public int digits() {
    return b.length;
  }

  /** {@code b_j}; read-only. */
  public RnsPoly b(int j) {
    return b[j];
  }

  /** {@code a_j}; read-only. */
  public RnsPoly a(int j) {
    return a[j];
  }

  /** Set once the budget refused this key, so that it is not asked again. */
  private volatile boolean shoupRefused;

  /**
   * The Shoup constants of every {@code b_j} and {@code a_j} ({@code {b's, a's}}), computed once
   * on first call (as much memory as the key again; only backends that profit ask, see {@link
   * io.polyhe.he.backend.ComputeBackend#usesShoupOperands}), or null when {@link ShoupBudget}
   * refuses them (a refused key is not asked again). Read-only; never serialised.
   */
  RnsPoly[][] shoupConstants() {
    RnsPoly[][] s = shoupConstants;
    if (s == null && !shoupRefused) {
      synchronized (this) {
        s = shoupConstants;
        if (s == null && !shoupRefused) {
          long bytes = 0;
          for (RnsPoly p : b) {
            bytes += 2L * p.limbCount() * p.n() * Long.BYTES;
          }
          if (!ShoupBudget.reserve(this, bytes)) {
            shoupRefused = true;
            return null;
          }
          s = new RnsPoly[][] {shoupOf(b), shoupOf(a)};
          shoupConstants = s;
        }
      }
    }
    return s;
  }

  private static RnsPoly[] shoupOf(RnsPoly[] polys) {
    RnsPoly[] out = new RnsPoly[polys.length];
    for (int j = 0; j < polys.length; j++) {
      RnsPoly p = polys[j];
      RnsPoly o = new RnsPoly(p.basis(), p.isNtt());
      java.util.stream.IntStream.range(0, p.limbCount()).parallel().forEach(i -> {
        io.polyhe.he.math.Modulus q = p.basis().modulus(i);
        long[] from = p.limb(i);
        long[] to = o.limb(i);
        for (int c = 0; c < from.length; c++) {
          to[c] = q.shoup(from[c]);
        }
      });
      out[j] = o;
    }
    return out;
  }

  /** True if the {@code a_j} are the expansion of a polyhe seed ({@link #seed()}). */
  public boolean hasSeed() {
    return seed != null;
  }

  /**
   * The seed of all {@code a_j} (a copy).
   *
   * @throws IllegalStateException if the key was built from explicit polynomials ({@link
   *     #ofPolynomials}, e.g. read from SEAL's format)
   */
  public byte[] seed() {
    if (seed == null) {
      throw new IllegalStateException("this switching key has no polyhe seed (it was built from explicit "
          + "polynomials, e.g. read from SEAL's format); write it in the format it came from");
    }
    return seed.clone();
  }

  @Override
  public String toString() {
    return "SwitchingKey(digits=" + b.length + ", limbs=" + b[0].limbCount() + ", params="
        + params.shortHash() + ")";
  }
}
