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
  /** XOF label of the public key's uniform {@code a}. */
  public static final String PUBLIC_KEY_A_LABEL = "polyhe.pk.a";

  private final RlweContext context;
  private final SeedSource seeds;

  public KeyGenerator(RlweContext context) {
    this(context, SeedSource.secure());
  }

  public KeyGenerator(RlweContext context, SeedSource seeds) {
    this.context = context;
    this.seeds = seeds;
  }

  /**
   * A fresh secret key: uniform ternary, or sparse ternary of the parameters' Hamming weight
   * ({@link RlweParameters#secretHammingWeight()}).
   */
  public SecretKey generateSecretKey() {
    int h = context.parameters().secretHammingWeight();
    Xof xof = new Xof(seeds.nextSeed(), "polyhe.sk");
    long[] s = h == 0 ? Sampler.ternary(xof, context.parameters().n())
        : Sampler.sparseTernary(xof, context.parameters().n(), h);
    try {
      return SecretKey.fromTernary(context, s, SecretKeyAccess.explicitlyGranted());
    } finally {
      java.util.Arrays.fill(s, 0); // fromTernary keeps its own copy
    }
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

  /** The relinearisation key (from {@code s²} to {@code s}). */
  public RelinearizationKey generateRelinearizationKey(SecretKey sk) {
    context.checkOwns(sk);
    RnsPoly s2 = sk.nttQ().copy();
    context.ring().multiply(s2, sk.nttQ(), s2);
    return new RelinearizationKey(generateSwitchingKey(sk, s2));
  }

  /** The Galois key of {@code X -> X^galois} (from {@code σ(s)} to {@code s}). */
  public GaloisKey generateGaloisKey(SecretKey sk, int galois) {
    context.checkOwns(sk);
    GaloisElements.check(galois, context.parameters().n());
    RnsPoly rotated = new RnsPoly(sk.nttQ().basis(), true);
    context.ring().automorphism(sk.nttQ(), galois, rotated);
    return new GaloisKey(galois, generateSwitchingKey(sk, rotated));
  }

  /** A relinearisation key and the Galois keys of {@code galoisElements}. */
  public EvaluationKeys generateEvaluationKeys(SecretKey sk, int[] galoisElements) {
    java.util.List<GaloisKey> galois = new java.util.ArrayList<>();
    for (int g : java.util.Arrays.stream(galoisElements).distinct().toArray()) {
      galois.add(generateGaloisKey(sk, g));
    }
    return EvaluationKeys.of(context.parameters(), generateRelinearizationKey(sk), galois);
  }

  /**
   * The key from {@code sPrime} (NTT form over all ciphertext primes) to {@code sk}: per digit j,
   * {@code b_j = -a_j·s + e_j}, plus {@code (P mod q_i)·s'} in the limbs i of digit j.
   */
  private SwitchingKey generateSwitchingKey(SecretKey sk, RnsPoly sPrime) {
    RlweParameters params = context.parameters();
    RnsRing ring = context.ring();
    RnsBasis basis = context.basisQPAtLevel(params.maxLevel());
    byte[] seed = seeds.nextSeed();
    RnsPoly[] a = SwitchingKey.expandA(context, seed);
    Xof noise = new Xof(seeds.nextSeed(), "polyhe.swk.e");
    int alpha = params.digitSize();
    long[] pModQ = new long[params.qCount()];
    for (int i = 0; i < pModQ.length; i++) {
      var qi = context.basisQ().modulus(i);
      long prod = 1;
      for (long p : params.pPrimes()) {
        prod = qi.mul(prod, qi.reduceUnsigned(p));
      }
      pModQ[i] = prod;
    }
    RnsPoly[] b = new RnsPoly[params.dnum()];
    for (int j = 0; j < b.length; j++) {
      RnsPoly bj = ring.fromSigned(basis, Sampler.gaussian(noise, params.n()));
      ring.toNtt(bj);
      RnsPoly as = new RnsPoly(basis, true);
      ring.multiply(a[j], sk.nttQP(), as);
      ring.sub(bj, as, bj);
      for (int i = j * alpha; i < Math.min((j + 1) * alpha, params.qCount()); i++) {
        var qi = context.basisQ().modulus(i);
        long factor = pModQ[i];
        long factorShoup = qi.shoup(factor);
        long[] limb = bj.limb(i);
        long[] sp = sPrime.limb(i);
        for (int c = 0; c < limb.length; c++) {
          limb[c] = qi.add(limb[c], qi.mulShoup(sp[c], factor, factorShoup));
        }
      }
      b[j] = bj;
    }
    return new SwitchingKey(params, b, a, seed);
  }
}
