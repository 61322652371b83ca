package io.polyhe.he.circuits;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys, arithmetic and encryption for circuit tests, with evaluation keys made for exactly the
 * Galois elements a test names (so a circuit that rotates by an undeclared step fails).
 */
record CircuitFixture(CkksContext ctx, CkksEncoder encoder, CiphertextArithmetic ar,
    SymmetricEncryptor enc, Decryptor dec) {

  /** Named parameter sets the circuit tests run over. */
  enum Params {
    /** Insecure N = 2^11, 12 levels of 40 bits: fast deep circuits. */
    N11_L12(CkksParameters.insecureForTestsOnly(new CkksParameters.Literal(
        11, chain(60, 40, 12), new int[] {60, 60}, 40))),
    /** Insecure N = 2^11, 20 levels of 40 bits: the deepest inverse circuits. */
    N11_L20(CkksParameters.insecureForTestsOnly(new CkksParameters.Literal(
        11, chain(60, 40, 20), new int[] {60, 60}, 40))),
    /** Insecure N = 2^10, 6 levels of 36 bits at scale 2^36: a second prime size and scale. */
    N10_L6(CkksParameters.insecureForTestsOnly(new CkksParameters.Literal(
        10, chain(50, 36, 6), new int[] {55}, 36))),
    /** The secure N = 2^13 preset (2 levels). */
    N13(CkksPreset.N13_QP218_128.parameters()),
    /** The secure N = 2^14 preset (6 levels). */
    N14(CkksPreset.N14_QP438_128.parameters());

    final CkksParameters params;

    Params(CkksParameters params) {
      this.params = params;
    }
  }

  static int[] chain(int first, int rest, int count) {
    int[] c = new int[count + 1];
    java.util.Arrays.fill(c, rest);
    c[0] = first;
    return c;
  }

  private record KeyId(String params, String galois) {}

  private static final Map<String, SecretKey> SECRETS = new ConcurrentHashMap<>();
  private static final Map<KeyId, CircuitFixture> CACHE = new ConcurrentHashMap<>();

  static CircuitFixture of(CkksParameters params, int[] galoisElements) {
    return CACHE.computeIfAbsent(new KeyId(params.toString(), java.util.Arrays.toString(galoisElements)),
        k -> build(params, galoisElements));
  }

  static CircuitFixture of(Params p, int[] galoisElements) {
    return of(p.params, galoisElements);
  }

  private static CircuitFixture build(CkksParameters params, int[] galoisElements) {
    CkksContext ctx = HeTestSupport.context(params, "java");
    SecretKey sk = SECRETS.computeIfAbsent(params.toString(),
        k -> new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(7)).generateSecretKey());
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(11));
    EvaluationKeys keys = keygen.generateEvaluationKeys(sk, galoisElements);
    return new CircuitFixture(ctx, new CkksEncoder(ctx), new CiphertextArithmetic(new Evaluator(ctx, keys)),
        new SymmetricEncryptor(ctx.rlwe(), sk, SeedSource.deterministicForTestsOnly(13)),
        new Decryptor(ctx.rlwe(), sk));
  }

  CkksParameters params() {
    return ctx.parameters();
  }

  Ciphertext encrypt(double[] values, int level, double scale) {
    return enc.encrypt(encoder.encode(values, level, scale));
  }

  Ciphertext encrypt(double[] values) {
    return encrypt(values, params().maxLevel(), params().defaultScale());
  }

  double[] decrypt(Ciphertext ct) {
    return encoder.decode(dec.decrypt(ct));
  }

  /** A simulated twin of {@code ct}. */
  static SimulatedCiphertext twin(Ciphertext ct) {
    return new SimulatedCiphertext(ct.level(), ct.scale(), ct.size());
  }
}
