package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.ring.Sampler;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.ring.Xof;

/**
 * Secret-key encryption {@code (-a·s + e + m, a)} with {@code a} expanded from a fresh public
 * 32-byte seed, so the ciphertext serialises as {@code c_0} plus the seed (about half size).
 * Thread-safe.
 */
public final class SymmetricEncryptor {
  /** XOF label of the uniform {@code c_1} of seeded ciphertexts. */
  public static final String C1_LABEL = "polyhe.ct.c1";

  private final RlweContext context;
  private final SecretKey secretKey;
  private final SeedSource seeds;

  public SymmetricEncryptor(RlweContext context, SecretKey secretKey) {
    this(context, secretKey, SeedSource.secure());
  }

  public SymmetricEncryptor(RlweContext context, SecretKey secretKey, SeedSource seeds) {
    context.checkOwns(secretKey);
    this.context = context;
    this.secretKey = secretKey;
    this.seeds = seeds;
  }

  /** Encrypts {@code pt} at its level and scale; the result is seeded. */
  public Ciphertext encrypt(Plaintext pt) {
    context.checkOwns(pt);
    int count = pt.level() + 1;
    RnsRing ring = context.ring();
    RnsBasis basis = context.basisAtLevel(pt.level());
    byte[] seed = seeds.nextSeed();
    RnsPoly c1 = expandC1(context, pt.level(), seed);
    RnsPoly c0 =
        ring.fromSigned(
            basis,
            Sampler.gaussian(Xof.noise(seeds.nextSeed(), "polyhe.enc.sk"), context.parameters().n()));
    ring.toNtt(c0);
    ring.add(c0, pt.poly(), c0);
    RnsPoly as = new RnsPoly(basis, true);
    ring.multiply(c1, secretKey.nttQ().prefixView(count), as);
    ring.sub(c0, as, c0);
    return new Ciphertext(context.parameters(), new RnsPoly[] {c0, c1}, pt.scale(), seed);
  }

  /** Expands the {@code c_1} of a seeded ciphertext at {@code level} from its seed. */
  public static RnsPoly expandC1(RlweContext context, int level, byte[] seed) {
    return Sampler.uniformNtt(new Xof(seed, C1_LABEL), context.basisAtLevel(level));
  }
}
