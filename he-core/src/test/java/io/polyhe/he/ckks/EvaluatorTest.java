package io.polyhe.he.ckks;

import static io.polyhe.he.HeTestSupport.maxError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every evaluator operation against double arithmetic on random slots in [-1, 1].
 *
 * <p>Error bounds, with Δ the scale and N the ring degree: a fresh public-key encryption adds
 * rounding noise whose slot error has standard deviation about 0.3·N/Δ; we allow {@code
 * B = 4·N/Δ} (over 10 standard deviations) per fresh ciphertext. Linear operations add their
 * operands' bounds; a product of values bounded by 1 followed by a rescale stays below {@code
 * 3·B}; a second product level below {@code 8·B}. Rescaling a 3-part (unrelinearised) ciphertext
 * adds the rounding error of {@code c_2} times {@code s²}: in slots {@code r_2(ζ)·s(ζ)²}, a product of
 * heavy-tailed factors of typical size {@code sqrt(N/12)·(2N/3)}; its maximum over all slots stays
 * below {@code R = 8·N^1.5/Δ'} (observed up to about 2·N^1.5/Δ'). Relinearising before the rescale
 * (the key-switching tests) removes that term.
 */
class EvaluatorTest {

  static Stream<CkksPreset> presets() {
    return HeTestSupport.presets();
  }

  /** Keys and tools of one preset. */
  record Fixture(CkksContext ctx, CkksEncoder encoder, Evaluator eval, Encryptor enc,
      SymmetricEncryptor symmetric, Decryptor dec, double fresh) {
    static Fixture of(CkksPreset preset) {
      CkksContext ctx = HeTestSupport.context(preset);
      KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(11));
      SecretKey sk = keygen.generateSecretKey();
      PublicKey pk = keygen.generatePublicKey(sk);
      double fresh = 4.0 * ctx.parameters().n() / ctx.parameters().defaultScale();
      return new Fixture(ctx, new CkksEncoder(ctx), new Evaluator(ctx), new Encryptor(ctx.rlwe(), pk),
          new SymmetricEncryptor(ctx.rlwe(), sk), new Decryptor(ctx.rlwe(), sk), fresh);
    }

    Ciphertext encrypt(double[] v) {
      return enc.encrypt(encoder.encode(v));
    }

    double[] decrypt(Ciphertext ct) {
      return encoder.decode(dec.decrypt(ct));
    }
  }

  private static double[] apply(double[] a, double[] b, DoubleBinaryOperator op) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = op.applyAsDouble(a[i], b[i]);
    }
    return out;
  }

  private static void assertClose(double[] expected, double[] actual, double bound, String what) {
    double err = maxError(expected, actual);
    assertTrue(err <= bound, what + ": error " + err + " exceeds bound " + bound);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void additiveOperations(CkksPreset preset) {
    Fixture f = Fixture.of(preset);
    SplittableRandom r = new SplittableRandom(1);
    int slots = f.encoder.slots();
    double[] a = HeTestSupport.randomValues(r, slots, 1);
    double[] b = HeTestSupport.randomValues(r, slots, 1);
    Ciphertext ca = f.encrypt(a);
    Ciphertext cb = f.encrypt(b);
    double two = 2 * f.fresh;
    assertClose(a, f.decrypt(ca), f.fresh, "encrypt/decrypt");
    assertClose(apply(a, b, Double::sum), f.decrypt(f.eval.add(ca, cb)), two, "add");
    assertClose(apply(a, b, (x, y) -> x - y), f.decrypt(f.eval.sub(ca, cb)), two, "sub");
    assertClose(apply(a, b, (x, y) -> -x), f.decrypt(f.eval.negate(ca)), f.fresh, "negate");
    Plaintext pb = f.encoder.encode(b);
    assertClose(apply(a, b, Double::sum), f.decrypt(f.eval.addPlain(ca, pb)), two, "addPlain");
    assertClose(apply(a, b, (x, y) -> x - y), f.decrypt(f.eval.subPlain(ca, pb)), two, "subPlain");
    assertClose(apply(a, b, (x, y) -> x + 0.75), f.decrypt(f.eval.addConstant(ca, 0.75)), two, "addConstant");
    assertClose(apply(a, b, (x, y) -> 3 * x), f.decrypt(f.eval.mulInteger(ca, 3)), 3 * f.fresh, "mulInteger");
    // Complex constant: imaginary part lands in the imaginary slots.
    double[][] complex = f.encoder.decodeComplex(f.dec.decrypt(f.eval.addConstant(ca, 0.5, -0.25)));
    assertClose(apply(a, b, (x, y) -> x + 0.5), complex[0], two, "addConstant re");
    for (double v : complex[1]) {
      assertEquals(-0.25, v, two);
    }
    // Symmetric (seeded) ciphertexts take part like any other.
    Ciphertext sa = f.symmetric.encrypt(f.encoder.encode(a));
    assertClose(apply(a, b, Double::sum), f.decrypt(f.eval.add(sa, cb)), two, "add seeded");
  }

  /**
   * The fused plaintext dot product equals the sum of products: three terms of values in [-1, 1]
   * times plaintexts in [-1, 1] at scale Δ, decrypted at scale Δ²: each term's error is at most
   * its ciphertext's fresh bound, so the sum stays within 3 fresh bounds; operands that differ in
   * level are refused.
   */
  @ParameterizedTest
  @MethodSource("presets")
  void mulPlainSumEqualsTheSumOfProducts(CkksPreset preset) {
    Fixture f = Fixture.of(preset);
    SplittableRandom r = new SplittableRandom(4);
    int slots = f.encoder.slots();
    Ciphertext[] cts = new Ciphertext[3];
    Plaintext[] pts = new Plaintext[3];
    double[] expected = new double[slots];
    for (int i = 0; i < 3; i++) {
      double[] a = HeTestSupport.randomValues(r, slots, 1);
      double[] b = HeTestSupport.randomValues(r, slots, 1);
      cts[i] = f.encrypt(a);
      pts[i] = f.encoder.encode(b);
      for (int j = 0; j < slots; j++) {
        expected[j] += a[j] * b[j];
      }
    }
    Ciphertext sum = f.eval.mulPlainSum(cts, pts);
    assertEquals(cts[0].scale() * pts[0].scale(), sum.scale());
    assertClose(expected, f.decrypt(sum), 3 * f.fresh, "mulPlainSum");
    Ciphertext spelled = f.eval.add(f.eval.add(f.eval.mulPlain(cts[0], pts[0]), f.eval.mulPlain(cts[1], pts[1])),
        f.eval.mulPlain(cts[2], pts[2]));
    assertClose(f.decrypt(spelled), f.decrypt(sum), 1e-9, "fused = spelled out");
    if (f.ctx.parameters().maxLevel() > 0) {
      // Each pair matches; the terms differ in level.
      Ciphertext[] mixed = {cts[0], f.eval.dropToLevel(cts[1], 0)};
      Plaintext low = f.encoder.encode(new double[] {0.5}, 0, f.ctx.parameters().defaultScale());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> f.eval.mulPlainSum(mixed, new Plaintext[] {pts[0], low}));
      assertTrue(e.getMessage().contains("level"), e.getMessage());
    }
    // Each pair matches in level; the products differ in scale.
    Plaintext otherScale = f.encoder.encode(new double[] {0.5}, pts[1].level(), 2 * pts[1].scale());
    assertThrows(IllegalArgumentException.class,
        () -> f.eval.mulPlainSum(new Ciphertext[] {cts[0], cts[1]}, new Plaintext[] {pts[0], otherScale}));
    assertThrows(IllegalArgumentException.class,
        () -> f.eval.mulPlainSum(new Ciphertext[] {cts[0]}, new Plaintext[] {pts[0], pts[1]}));
    assertThrows(IllegalArgumentException.class, () -> f.eval.mulPlainSum(new Ciphertext[0], new Plaintext[0]));
  }

  /**
   * The fused constant combination equals the spelled-out one: three terms with constants in
   * [-2, 2] encoded at scale 16 (exactly: 24, -12, 32; products at 16Δ, which every preset's q_0
   * holds), errors within 2 fresh bounds per term, one term read above the requested level;
   * mismatched product scales are refused.
   */
  @ParameterizedTest
  @MethodSource("presets")
  void mulConstantSumEqualsTheSumOfConstantProducts(CkksPreset preset) {
    Fixture f = Fixture.of(preset);
    SplittableRandom r = new SplittableRandom(5);
    int slots = f.encoder.slots();
    double delta = f.ctx.parameters().defaultScale();
    int top = f.ctx.parameters().maxLevel();
    int level = Math.max(0, top - 1);
    Ciphertext[] cts = new Ciphertext[3];
    double[] c = {1.5, -0.75, 2.0};
    double[] scales = {16, 16, 16};
    double[] expected = new double[slots];
    for (int i = 0; i < 3; i++) {
      double[] a = HeTestSupport.randomValues(r, slots, 1);
      Ciphertext ct = f.encrypt(a);
      cts[i] = i == 0 ? ct : f.eval.dropToLevel(ct, level);
      for (int j = 0; j < slots; j++) {
        expected[j] += c[i] * a[j];
      }
    }
    Ciphertext sum = f.eval.mulConstantSum(cts, c, scales, level);
    assertEquals(level, sum.level());
    assertEquals(16 * delta, sum.scale());
    assertClose(expected, f.decrypt(sum), 2 * 3 * f.fresh, "mulConstantSum");
    Ciphertext spelled = null;
    for (int i = 0; i < 3; i++) {
      Ciphertext term = f.eval.mulConstant(f.eval.dropToLevel(cts[i], level), c[i], scales[i]);
      spelled = spelled == null ? term : f.eval.add(spelled, term);
    }
    assertClose(f.decrypt(spelled), f.decrypt(sum), 1e-9, "fused = spelled out");
    assertThrows(IllegalArgumentException.class,
        () -> f.eval.mulConstantSum(cts, c, new double[] {16, 32, 16}, level));
    assertThrows(IllegalArgumentException.class,
        () -> f.eval.mulConstantSum(new Ciphertext[0], new double[0], new double[0], level));
  }

  @ParameterizedTest
  @MethodSource("presets")
  void multiplicativeOperationsAndRescale(CkksPreset preset) {
    Fixture f = Fixture.of(preset);
    SplittableRandom r = new SplittableRandom(2);
    int slots = f.encoder.slots();
    double[] a = HeTestSupport.randomValues(r, slots, 1);
    double[] b = HeTestSupport.randomValues(r, slots, 1);
    Ciphertext ca = f.encrypt(a);
    Ciphertext cb = f.encrypt(b);
    int top = f.ctx.parameters().maxLevel();
    double delta = f.ctx.parameters().defaultScale();

    Ciphertext product = f.eval.mul(ca, cb);
    assertEquals(3, product.size());
    assertEquals(delta * delta, product.scale());
    // Three-part decryption before the rescale (scale Δ², so errors shrink by nothing).
    assertClose(apply(a, b, (x, y) -> x * y), f.decrypt(product), 3 * f.fresh, "mul (3-part)");
    if (top == 0) {
      return;
    }
    Ciphertext rescaled = f.eval.rescale(product);
    double r3 = 8 * Math.pow(f.ctx.parameters().n(), 1.5) / rescaled.scale();
    assertEquals(top - 1, rescaled.level());
    assertEquals(delta * delta / f.ctx.parameters().rlwe().q(top), rescaled.scale());
    assertClose(apply(a, b, (x, y) -> x * y), f.decrypt(rescaled), 3 * f.fresh + r3, "mul + rescale");
    assertClose(apply(a, b, (x, y) -> x * x), f.decrypt(f.eval.rescale(f.eval.square(ca))),
        3 * f.fresh + r3, "square + rescale");

    Plaintext pb = f.encoder.encode(b);
    assertClose(apply(a, b, (x, y) -> x * y), f.decrypt(f.eval.rescale(f.eval.mulPlain(ca, pb))),
        3 * f.fresh, "mulPlain + rescale");
    assertClose(apply(a, b, (x, y) -> -1.5 * x),
        f.decrypt(f.eval.rescale(f.eval.mulConstant(ca, -1.5))), 3 * f.fresh, "mulConstant + rescale");

    if (top >= 2) {
      // A second level: (a·b)·a, rescaled twice.
      Ciphertext aDown = f.eval.dropToLevel(ca, top - 1);
      Ciphertext relinearisedLike = f.eval.rescale(f.eval.mulPlain(ca, f.encoder.encode(b)));
      Ciphertext second = f.eval.rescale(f.eval.mul(relinearisedLike, aDown));
      assertEquals(top - 2, second.level());
      // Scales differ after a rescale by a prime other than Δ: mul multiplies them exactly.
      assertEquals(relinearisedLike.scale() * aDown.scale() / f.ctx.parameters().rlwe().q(top - 1),
          second.scale(), second.scale() * 1e-15);
      double r3second = 8 * Math.pow(f.ctx.parameters().n(), 1.5) / second.scale();
      assertClose(apply(a, b, (x, y) -> x * y * x), f.decrypt(second), 8 * f.fresh + r3second,
          "depth 2");
    }
  }

  @ParameterizedTest
  @MethodSource("presets")
  void levelDroppingKeepsValues(CkksPreset preset) {
    Fixture f = Fixture.of(preset);
    double[] a = HeTestSupport.randomValues(new SplittableRandom(3), f.encoder.slots(), 1);
    Ciphertext ca = f.encrypt(a);
    Ciphertext low = f.eval.dropToLevel(ca, 0);
    assertEquals(0, low.level());
    assertEquals(ca.scale(), low.scale());
    assertClose(a, f.decrypt(low), f.fresh, "dropToLevel");
  }

  @Test
  void mismatchedOperandsAreRejectedWithClearMessages() {
    Fixture f = Fixture.of(CkksPreset.N13_QP218_128);
    double[] a = {0.5, 0.25};
    Ciphertext ca = f.encrypt(a);
    Ciphertext low = f.eval.dropLevels(ca, 1);
    IllegalArgumentException level =
        assertThrows(IllegalArgumentException.class, () -> f.eval.add(ca, low));
    assertTrue(level.getMessage().contains("different levels"), level.getMessage());
    Ciphertext scaled = f.eval.mulConstant(ca, 1.0, 2.0);
    IllegalArgumentException scale =
        assertThrows(IllegalArgumentException.class, () -> f.eval.add(ca, scaled));
    assertTrue(scale.getMessage().contains("different scales"), scale.getMessage());
    Plaintext lowPlain = f.encoder.encode(a, 1, f.ctx.parameters().defaultScale());
    assertThrows(IllegalArgumentException.class, () -> f.eval.addPlain(ca, lowPlain));
    assertThrows(IllegalArgumentException.class, () -> f.eval.mulPlain(ca, lowPlain));
    Ciphertext three = f.eval.mul(ca, ca);
    IllegalArgumentException size =
        assertThrows(IllegalArgumentException.class, () -> f.eval.mul(three, ca));
    assertTrue(size.getMessage().contains("relinearise"));
    assertThrows(IllegalArgumentException.class, () -> f.eval.rescale(f.eval.dropToLevel(ca, 0)));
    assertThrows(IllegalArgumentException.class, () -> f.eval.dropToLevel(low, 3));
    assertThrows(IllegalArgumentException.class, () -> f.eval.mulConstant(ca, 1e30));
    Fixture other = Fixture.of(CkksPreset.N12_QP109_128);
    IllegalArgumentException params =
        assertThrows(IllegalArgumentException.class, () -> f.eval.add(ca, other.encrypt(a)));
    assertTrue(params.getMessage().contains("belongs to parameters"));
    // Operands are never modified by an operation.
    double[] before = f.decrypt(ca);
    f.eval.add(ca, ca);
    f.eval.rescale(f.eval.mul(ca, ca));
    assertEquals(0, maxError(before, f.decrypt(ca)));
  }
}
