package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.ring.Sampler;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.ring.Xof;

/**
 * Public-key encryption: {@code (b·u + e_0 + m, a·u + e_1)} with a ternary {@code u} and Gaussian
 * errors, at the plaintext's level (computed with one extra prime, see {@link #encrypt}).
 * Thread-safe.
 */
public final class Encryptor {
  private final RlweContext context;
  private final PublicKey publicKey;
  private final SeedSource seeds;
  /** Per level, {@code q_0..q_level} and the last special prime (empty without special primes). */
  private final RnsBasis[] extendedBases;

  public Encryptor(RlweContext context, PublicKey publicKey) {
    this(context, publicKey, SeedSource.secure());
  }

  public Encryptor(RlweContext context, PublicKey publicKey, SeedSource seeds) {
    context.checkOwns(publicKey);
    this.context = context;
    this.publicKey = publicKey;
    this.seeds = seeds;
    RlweParameters params = context.parameters();
    int k = params.pCount();
    this.extendedBases = new RnsBasis[params.maxLevel() + 1];
    if (k > 0) {
      RnsBasis last = context.basisP().slice(k - 1, k);
      for (int l = 0; l <= params.maxLevel(); l++) {
        extendedBases[l] = context.basisAtLevel(l).concat(last);
      }
    }
  }

  /**
   * Encrypts {@code pt} at its level and scale, as SEAL does: {@code (b·u + e_0, a·u + e_1)} over
   * {@code q_0..q_level} and one extra prime, the last special prime {@code p}, divided by {@code p}
   * with rounding, plus the message. Dividing leaves a noise of rounding size, {@code r_0 + r_1·s}
   * with {@code |r_i| ≤ 1/2}, instead of {@code e·u + e_0 + e_1·s} (which shrinks by p to below
   * 1). One extra prime rather than all of P is enough for that, and it keeps the work at one NTT
   * of {@code u} over the level's primes and {@code p}, two products, and per part one inverse NTT
   * (of the p limb) and one NTT per ciphertext prime: the errors are added inside the division, in
   * coefficient form ({@link RnsRing#divideRoundByLastPrime(RnsPoly, long[])}). Without special
   * primes the errors stay undivided.
   *
   * @throws IllegalArgumentException if {@code pt} belongs to other parameters
   */
  public Ciphertext encrypt(Plaintext pt) {
    context.checkOwns(pt);
    int level = pt.level();
    RnsRing ring = context.ring();
    RlweParameters params = context.parameters();
    Xof noise = Xof.noise(seeds.nextSeed(), "polyhe.enc.pk");
    int n = params.n();
    int k = params.pCount();
    RnsBasis basis = k == 0 ? context.basisAtLevel(level) : extendedBases[level];
    RnsPoly u = ring.fromSigned(basis, Sampler.ternary(noise, n));
    long[] e0 = Sampler.gaussian(noise, n);
    long[] e1 = Sampler.gaussian(noise, n);
    ring.toNtt(u);
    RnsPoly c0 = new RnsPoly(basis, true);
    RnsPoly c1 = new RnsPoly(basis, true);
    ring.multiply(view(publicKey.b(), level), u, c0);
    ring.multiply(view(publicKey.a(), level), u, c1);
    if (k == 0) {
      RnsPoly e = ring.fromSigned(basis, e0);
      ring.toNtt(e);
      ring.add(c0, e, c0);
      e = ring.fromSigned(basis, e1);
      ring.toNtt(e);
      ring.add(c1, e, c1);
    } else {
      c0 = ring.divideRoundByLastPrime(c0, e0);
      c1 = ring.divideRoundByLastPrime(c1, e1);
    }
    ring.add(c0, pt.poly(), c0);
    return new Ciphertext(params, new RnsPoly[] {c0, c1}, pt.scale());
  }

  /** The limbs of {@code fullQP} (over Q·P) of {@code q_0..q_level} and the last special prime. */
  private RnsPoly view(RnsPoly fullQP, int level) {
    RlweParameters params = context.parameters();
    int k = params.pCount();
    RnsPoly atLevel = context.viewQPAtLevel(fullQP, level);
    if (k == 0) {
      return atLevel;
    }
    long[][] limbs = new long[level + 2][];
    for (int i = 0; i <= level; i++) {
      limbs[i] = atLevel.limb(i);
    }
    limbs[level + 1] = atLevel.limb(level + k);
    return new RnsPoly(extendedBases[level], limbs, true);
  }
}
