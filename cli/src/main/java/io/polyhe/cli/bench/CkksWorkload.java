package io.polyhe.cli.bench;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Everything one ring degree's CKKS benchmark needs, prepared outside the timed region: context,
 * keys (relinearisation and rotations by 1..16), random inputs in [-1, 1] at the default scale,
 * and one closure per operation. Inputs are never modified by the operations, so a closure can be
 * run any number of times.
 */
final class CkksWorkload {
  /** Operation names, in report order. */
  static final String[] OPS = {
    "encode", "encrypt_pk", "encrypt_sk_seeded", "decrypt", "decode", "add", "mul_plain", "mul",
    "rescale", "relinearize", "mul_relin", "rotate", "rotate_hoisted_16", "keygen_galois_1", "ntt"
  };

  private static final int HOISTED_STEPS = 16;

  private final CkksParameters params;
  private final CkksContext context;
  private final Map<String, Runnable> ops = new LinkedHashMap<>();
  private final CkksEncoder encoder;
  private final Evaluator evaluator;
  private final Encryptor encryptor;
  private final Decryptor decryptor;
  private final SymmetricEncryptor symmetric;
  private final double[] valuesA;
  private final double[] valuesB;
  /** Sink that keeps results alive so the JIT cannot drop the work. */
  private Object sink;

  /** Keys of one parameter set; key material does not depend on the backend, so runs share it. */
  record Keys(SecretKey sk, PublicKey pk, EvaluationKeys evaluation) {
    static Keys generate(CkksParameters params, ComputeBackend backend) {
      CkksContext context = CkksContext.create(params, backend);
      KeyGenerator keygen = new KeyGenerator(context.rlwe(), SeedSource.deterministicForTestsOnly(1));
      SecretKey sk = keygen.generateSecretKey();
      int[] steps = IntStream.rangeClosed(1, HOISTED_STEPS).toArray();
      return new Keys(sk, keygen.generatePublicKey(sk),
          keygen.generateEvaluationKeys(sk, GaloisElements.forRotations(steps, params.n())));
    }
  }

  CkksWorkload(CkksParameters params, ComputeBackend backend, Keys shared) {
    this.params = params;
    this.context = CkksContext.create(params, backend);
    KeyGenerator keygen = new KeyGenerator(context.rlwe(), SeedSource.deterministicForTestsOnly(2));
    SecretKey sk = shared.sk();
    PublicKey pk = shared.pk();
    int n = params.n();
    int[] steps = IntStream.rangeClosed(1, HOISTED_STEPS).toArray();
    EvaluationKeys keys = shared.evaluation();
    encoder = new CkksEncoder(context);
    evaluator = new Evaluator(context, keys);
    encryptor = new Encryptor(context.rlwe(), pk);
    decryptor = new Decryptor(context.rlwe(), sk);
    symmetric = new SymmetricEncryptor(context.rlwe(), sk);

    SplittableRandom random = new SplittableRandom(42);
    valuesA = random.doubles(encoder.slots(), -1, 1).toArray();
    valuesB = random.doubles(encoder.slots(), -1, 1).toArray();
    Plaintext ptA = encoder.encode(valuesA);
    Plaintext ptB = encoder.encode(valuesB);
    Ciphertext ctA = encryptor.encrypt(ptA);
    Ciphertext ctB = encryptor.encrypt(ptB);
    Ciphertext product = evaluator.mul(ctA, ctB);
    int galois1 = GaloisElements.forRotation(1, n);
    // A 40-bit scale prime: most limbs of a ciphertext are of that kind.
    int last = ptA.poly().limbCount() - 1;
    long[][] limb = {ptA.poly().limb(last).clone()};
    NttTables[] tables = {new NttTables(ptA.poly().basis().modulus(last), params.logN())};

    ops.put("encode", () -> sink = encoder.encode(valuesA));
    ops.put("encrypt_pk", () -> sink = encryptor.encrypt(ptA));
    ops.put("encrypt_sk_seeded", () -> sink = symmetric.encrypt(ptA));
    ops.put("decrypt", () -> sink = decryptor.decrypt(ctA));
    ops.put("decode", () -> sink = encoder.decode(ptA));
    ops.put("add", () -> sink = evaluator.add(ctA, ctB));
    ops.put("mul_plain", () -> sink = evaluator.mulPlain(ctA, ptB));
    ops.put("mul", () -> sink = evaluator.mul(ctA, ctB));
    // As the SEAL peer does: rescale the 3-part product of mul.
    ops.put("rescale", () -> sink = evaluator.rescale(product));
    ops.put("relinearize", () -> sink = evaluator.relinearize(product));
    ops.put("mul_relin", () -> sink = evaluator.mulRelin(ctA, ctB));
    ops.put("rotate", () -> sink = evaluator.rotate(ctA, 1));
    ops.put("rotate_hoisted_16", () -> sink = evaluator.rotateHoisted(ctA, steps));
    ops.put("keygen_galois_1", () -> sink = keygen.generateGaloisKey(sk, galois1));
    ops.put("ntt", () -> {
      backend.forwardNtt(limb, tables, 1);
      sink = limb;
    });
  }

  CkksParameters parameters() {
    return params;
  }

  Runnable op(String name) {
    Runnable r = ops.get(name);
    if (r == null) {
      throw new IllegalArgumentException("unknown op " + name);
    }
    return r;
  }

  /**
   * Bits of precision, {@code -log2(max |error|)}, after encode → encrypt (public key) → mul →
   * relinearise → rescale → decrypt → decode of random values in [-1, 1] at the default scale.
   */
  double precisionBits() {
    Ciphertext a = encryptor.encrypt(encoder.encode(valuesA));
    Ciphertext b = encryptor.encrypt(encoder.encode(valuesB));
    double[] out = encoder.decode(decryptor.decrypt(evaluator.rescale(evaluator.mulRelin(a, b))));
    double max = 0;
    for (int i = 0; i < out.length; i++) {
      max = Math.max(max, Math.abs(out[i] - valuesA[i] * valuesB[i]));
    }
    return -Math.log(max) / Math.log(2);
  }

  /** Serialised sizes of a fresh public-key ciphertext and a seeded symmetric one. */
  Map<String, Long> sizes() {
    Map<String, Long> m = new LinkedHashMap<>();
    Plaintext pt = encoder.encode(valuesA);
    m.put("ciphertext", HeFormat.serializedSize(encryptor.encrypt(pt)));
    m.put("ciphertext_seeded", HeFormat.serializedSize(symmetric.encrypt(pt)));
    return m;
  }

  /** Drops the last result (kept only so the JIT could not remove the work). */
  void consumeSink() {
    sink = null;
  }
}
