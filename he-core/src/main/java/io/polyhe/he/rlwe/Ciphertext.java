package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;
import java.util.Arrays;

/**
 * A CKKS/RLWE ciphertext {@code (c_0, c_1[, c_2])} over {@code q_0..q_level} in NTT form, with its
 * scale. Decrypts to {@code c_0 + c_1·s (+ c_2·s²)}.
 *
 * <p>Immutable: operations return new ciphertexts. A fresh symmetric encryption remembers the
 * 32-byte seed its {@code c_1} was expanded from, so it serialises at about half size; any
 * operation yields a ciphertext without a seed.
 */
public final class Ciphertext implements HeObject {
  private final RlweParameters params;
  private final RnsPoly[] polys;
  private final double scale;
  private final byte[] c1Seed;

  /**
   * Takes ownership of {@code polys}: two or three NTT-form polynomials over the same basis.
   *
   * @param c1Seed seed {@code c_1} was expanded from, or null
   */
  public Ciphertext(RlweParameters params, RnsPoly[] polys, double scale, byte[] c1Seed) {
    if (polys.length < 2 || polys.length > 3) {
      throw new IllegalArgumentException("a ciphertext has 2 or 3 polynomials, got " + polys.length);
    }
    for (RnsPoly p : polys) {
      if (!p.isNtt()) {
        throw new IllegalArgumentException("ciphertext polynomials must be in NTT form");
      }
      if (!p.basis().sameAs(polys[0].basis())) {
        throw new IllegalArgumentException("ciphertext polynomials over different bases");
      }
    }
    if (c1Seed != null && (polys.length != 2 || c1Seed.length != io.polyhe.he.ring.Xof.SEED_BYTES)) {
      throw new IllegalArgumentException("a seed stands only for c_1 of a 2-part ciphertext");
    }
    checkScale(scale);
    checkOverQ(params, polys[0]);
    this.params = params;
    this.polys = polys.clone();
    this.scale = scale;
    this.c1Seed = c1Seed == null ? null : c1Seed.clone();
  }

  /** Throws unless {@code p}'s primes are {@code q_0..q_l} of {@code params}. */
  static void checkOverQ(RlweParameters params, RnsPoly p) {
    if (p.limbCount() > params.qCount()) {
      throw new IllegalArgumentException(
          "polynomial has " + p.limbCount() + " primes, parameters have " + params.qCount());
    }
    for (int i = 0; i < p.limbCount(); i++) {
      if (p.basis().modulus(i).value() != params.q(i)) {
        throw new IllegalArgumentException("polynomial prime " + i + " is not q_" + i + " of " + params.shortHash());
      }
    }
  }

  /** Shorthand for a ciphertext without a seed. */
  public Ciphertext(RlweParameters params, RnsPoly[] polys, double scale) {
    this(params, polys, scale, null);
  }

  /** True if {@code scale} is a valid scale: finite and at least 1. */
  public static boolean isValidScale(double scale) {
    return scale >= 1.0 && !Double.isInfinite(scale);
  }

  static void checkScale(double scale) {
    if (!isValidScale(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
  }

  @Override
  public RlweParameters parameters() {
    return params;
  }

  /** Number of polynomials (2, or 3 after a product without relinearisation). */
  public int size() {
    return polys.length;
  }

  /** Polynomial {@code i}; callers must not write it. */
  public RnsPoly poly(int i) {
    return polys[i];
  }

  public int level() {
    return polys[0].limbCount() - 1;
  }

  public double scale() {
    return scale;
  }

  /** True if {@code c_1} is stored as a seed when serialised. */
  public boolean isSeeded() {
    return c1Seed != null;
  }

  /** The seed of {@code c_1} (a copy); throws if not seeded. */
  public byte[] c1Seed() {
    if (c1Seed == null) {
      throw new IllegalStateException("ciphertext is not seeded");
    }
    return c1Seed.clone();
  }

  /** Same values without the seed (for callers that need the expanded form only). */
  public Ciphertext withoutSeed() {
    return c1Seed == null ? this : new Ciphertext(params, polys, scale, null);
  }

  @Override
  public String toString() {
    return "Ciphertext(size=" + polys.length + ", level=" + level() + ", scale=2^"
        + String.format("%.2f", Math.log(scale) / Math.log(2)) + (c1Seed != null ? ", seeded" : "")
        + ", params=" + params.shortHash() + ")";
  }

  /** Exact equality of parameters, scale and every residue (for tests and round trips). */
  public boolean sameValueAs(Ciphertext other) {
    if (!params.sameAs(other.params) || polys.length != other.polys.length
        || Double.compare(scale, other.scale) != 0) {
      return false;
    }
    for (int i = 0; i < polys.length; i++) {
      if (!polys[i].sameValueAs(other.polys[i])) {
        return false;
      }
    }
    return Arrays.equals(c1Seed, other.c1Seed);
  }
}
