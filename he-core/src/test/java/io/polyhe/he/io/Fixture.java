package io.polyhe.he.io;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One parameter set with deterministic keys and the components built on it; built once per test
 * run and shared (everything in it is immutable or thread-safe).
 */
record Fixture(
    String name,
    CkksContext context,
    CkksEncoder encoder,
    SecretKey secretKey,
    PublicKey publicKey,
    Encryptor encryptor,
    SymmetricEncryptor symmetric,
    Decryptor decryptor,
    Evaluator evaluator) {

  /** Small insecure parameters: fast, N = 1024, no padding. */
  static final CkksParameters.Literal SMALL =
      new CkksParameters.Literal(10, new int[] {30, 25}, new int[] {30}, 25);

  /** Tiny insecure parameters, N = 8: limbs of 30 and 25 bits have padding bits. */
  static final CkksParameters.Literal TINY =
      new CkksParameters.Literal(3, new int[] {30, 25}, new int[] {30}, 20);

  private static final Map<String, Fixture> CACHE = new ConcurrentHashMap<>();

  static Fixture of(String name, CkksParameters params) {
    return CACHE.computeIfAbsent(name, n -> build(n, params));
  }

  static Fixture preset(CkksPreset preset) {
    return of(preset.name(), preset.parameters());
  }

  static Fixture small() {
    return of("insecure-N1024", CkksParameters.insecureForTestsOnly(SMALL));
  }

  static Fixture tiny() {
    return of("insecure-N8", CkksParameters.insecureForTestsOnly(TINY));
  }

  /** The parameter sets round trips run over: N12, N13, N14 presets and the small insecure set. */
  static Stream<Fixture> all() {
    return Stream.of(
        preset(CkksPreset.N12_QP109_128),
        preset(CkksPreset.N13_QP218_128),
        preset(CkksPreset.N14_QP438_128),
        small(),
        tiny());
  }

  private static Fixture build(String name, CkksParameters params) {
    CkksContext context = HeTestSupport.context(params, "java");
    SeedSource seeds = SeedSource.deterministicForTestsOnly(name.hashCode());
    KeyGenerator keys = new KeyGenerator(context.rlwe(), seeds);
    SecretKey sk = keys.generateSecretKey();
    PublicKey pk = keys.generatePublicKey(sk);
    return new Fixture(
        name,
        context,
        new CkksEncoder(context),
        sk,
        pk,
        new Encryptor(context.rlwe(), pk, seeds),
        new SymmetricEncryptor(context.rlwe(), sk, seeds),
        new Decryptor(context.rlwe(), sk),
        new Evaluator(context));
  }

  CkksParameters params() {
    return context.parameters();
  }

  int maxLevel() {
    return context.parameters().maxLevel();
  }

  /** Reproducible values in [-1, 1], one per slot. */
  double[] values(long seed) {
    Random random = new Random(seed);
    double[] v = new double[encoder.slots()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * random.nextDouble() - 1;
    }
    return v;
  }

  Plaintext encode(double[] values) {
    return encoder.encode(values);
  }

  /** A fresh public-key encryption (not seeded). */
  Ciphertext encrypt(long seed) {
    return encryptor.encrypt(encode(values(seed)));
  }

  /** A fresh seeded symmetric encryption. */
  Ciphertext encryptSeeded(long seed) {
    return symmetric.encrypt(encode(values(seed)));
  }

  double[] decrypt(Ciphertext ct) {
    return encoder.decode(decryptor.decrypt(ct));
  }

  @Override
  public String toString() {
    return name;
  }
}
