package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.ring.Sampler;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.ring.Xof;

/**
 * Generates secret and public keys. Randomness comes from a {@link SeedSource} (SecureRandom by
 * default), expanded with SHAKE-256. Thread-safe.
 */
public final class KeyGenerator {
  static final String PUBLIC_KEY_A_LABEL = "polyhe.pk.a";

  private final RlweContext context;
  private final SeedSource seeds;

  public KeyGenerator(RlweContext context) {
    this(context, SeedSource.secure());
  }

  public KeyGenerator(RlweContext context, SeedSource seeds) {
    this.context = context;
    this.seeds = seeds;
  }

  /** A fresh uniform ternary secret key. */
  public SecretKey generateSecretKey() {
    long[] s = Sampler.ternary(new Xof(seeds.nextSeed(), "polyhe.sk"), context.parameters().n());
    return SecretKey.fromTernary(context, s, SecretKeyAccess.explicitlyGranted());
  }

  /** A public key {@code (-a·s + e, a)} with {@code a} expanded from a fresh public seed. */
  public PublicKey generatePublicKey(SecretKey sk) {
    context.checkOwns(sk);
    byte[] seed = seeds.nextSeed();
    RnsPoly a = expandPublicKeyA(context, seed);
    RnsRing ring = context.ring();
    RnsBasis basis = context.basisQPAtLevel(context.parameters().maxLevel());
    RnsPoly e =
        ring.fromSigned(
            basis,
            Sampler.gaussian(new Xof(seeds.nextSeed(), "polyhe.pk.e"), context.parameters().n()));
    ring.toNtt(e);
    RnsPoly b = new RnsPoly(basis, true);
    ring.multiply(a, sk.nttQP(), b);
    ring.sub(e, b, b);
    return new PublicKey(context.parameters(), b, a, seed);
  }

  static RnsPoly expandPublicKeyA(RlweContext context, byte[] seed) {
    return Sampler.uniformNtt(
        new Xof(seed, PUBLIC_KEY_A_LABEL), context.basisQPAtLevel(context.parameters().maxLevel()));
  }
}
