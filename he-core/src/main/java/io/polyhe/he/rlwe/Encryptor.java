package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.ring.Sampler;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.ring.Xof;

/**
 * Public-key encryption: {@code (b·u + e_0 + m, a·u + e_1)} with a ternary {@code u} and Gaussian
 * errors, at the plaintext's level. Thread-safe.
 */
public final class Encryptor {
  private final RlweContext context;
  private final PublicKey publicKey;
  private final SeedSource seeds;

  public Encryptor(RlweContext context, PublicKey publicKey) {
    this(context, publicKey, SeedSource.secure());
  }

  public Encryptor(RlweContext context, PublicKey publicKey, SeedSource seeds) {
    context.checkOwns(publicKey);
    this.context = context;
    this.publicKey = publicKey;
    this.seeds = seeds;
  }

  /**
   * Encrypts {@code pt} at its level and scale: {@code (b·u + e_0, a·u + e_1)} over {@code
   * q_0..q_level·P}, divided by {@code P} with rounding, plus the message. Dividing by P leaves a
   * noise of rounding size instead of {@code e·u + e_0 + e_1·s}.
   *
   * @throws IllegalArgumentException if {@code pt} belongs to other parameters
   */
  public Ciphertext encrypt(Plaintext pt) {
    context.checkOwns(pt);
    int level = pt.level();
    RnsRing ring = context.ring();
    RnsBasis basis = context.basisQPAtLevel(level);
    Xof noise = new Xof(seeds.nextSeed(), "polyhe.enc.pk");
    int n = context.parameters().n();
    RnsPoly u = ring.fromSigned(basis, Sampler.ternary(noise, n));
    RnsPoly c0 = ring.fromSigned(basis, Sampler.gaussian(noise, n));
    RnsPoly c1 = ring.fromSigned(basis, Sampler.gaussian(noise, n));
    ring.toNtt(u);
    ring.toNtt(c0);
    ring.toNtt(c1);
    ring.multiplyAccumulate(context.viewQPAtLevel(publicKey.b(), level), u, c0);
    ring.multiplyAccumulate(context.viewQPAtLevel(publicKey.a(), level), u, c1);
    for (int i = 0; i < context.parameters().pCount(); i++) {
      c0 = ring.divideRoundByLastPrime(c0);
      c1 = ring.divideRoundByLastPrime(c1);
    }
    ring.add(c0, pt.poly(), c0);
    return new Ciphertext(context.parameters(), new RnsPoly[] {c0, c1}, pt.scale());
  }
}
