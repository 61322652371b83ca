package io.polyhe.he.ckks;

import static io.polyhe.he.HeTestSupport.maxError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Relinearisation, rotations, conjugation and hoisting against double arithmetic.
 *
 * <p>Bounds: with {@code B = 4·N/Δ} per fresh ciphertext (see {@link EvaluatorTest}), key
 * switching adds noise below the rounding noise of ModDown (about {@code 0.3·N/Δ} in slots), so
 * a rotation or relinearisation stays within {@code B} more; mul + relinearise + rescale within
 * {@code 3·B}; chains grow additively (the test states each chain's bound).
 */
class KeySwitchingTest {

  static Stream<CkksPreset> presets() {
    return HeTestSupport.presets();
  }

  record Fixture(CkksContext ctx, CkksEncoder encoder, Evaluator eval, Encryptor enc,
      Decryptor dec, double fresh) {
    static Fixture of(CkksPreset preset, int[] rotationSteps) {
      CkksContext ctx = HeTestSupport.context(preset);
      KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(21));
      SecretKey sk = keygen.generateSecretKey();
      int n = ctx.parameters().n();
      int[] rot = GaloisElements.forRotations(rotationSteps, n);
      int[] elements = java.util.stream.IntStream.concat(
          java.util.Arrays.stream(rot), java.util.stream.IntStream.of(GaloisElements.conjugation(n)))
          .toArray();
      EvaluationKeys keys = keygen.generateEvaluationKeys(sk, elements);
      return new Fixture(ctx, new CkksEncoder(ctx), new Evaluator(ctx, keys),
          new Encryptor(ctx.rlwe(), keygen.generatePublicKey(sk)), new Decryptor(ctx.rlwe(), sk),
          4.0 * n / ctx.parameters().defaultScale());
    }

    Ciphertext encrypt(double[] v) {
      return enc.encrypt(encoder.encode(v));
    }

    double[] decrypt(Ciphertext ct) {
      return encoder.decode(dec.decrypt(ct));
    }
  }

  private static double[] rotated(double[] v, int k) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[Math.floorMod(i + k, v.length)];
    }
    return out;
  }

  private static void assertClose(double[] expected, double[] actual, double bound, String what) {
    double err = maxError(expected, actual);
    assertTrue(err <= bound, what + ": error " + err + " exceeds bound " + bound);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void mulRelinRescaleMatchesProducts(CkksPreset preset) {
    Fixture f = Fixture.of(preset, new int[0]);
    SplittableRandom r = new SplittableRandom(1);
    int slots = f.encoder.slots();
    double[] a = HeTestSupport.randomValues(r, slots, 1);
    double[] b = HeTestSupport.randomValues(r, slots, 1);
    Ciphertext ca = f.encrypt(a);
    Ciphertext cb = f.encrypt(b);
    double[] ab = new double[slots];
    for (int i = 0; i < slots; i++) {
      ab[i] = a[i] * b[i];
    }
    Ciphertext product = f.eval.mulRelin(ca, cb);
    assertEquals(2, product.size());
    assertClose(ab, f.decrypt(product), 3 * f.fresh, "mulRelin");
    assertClose(ab, f.decrypt(f.eval.rescale(product)), 3 * f.fresh, "mulRelin + rescale");
  }

  @ParameterizedTest
  @MethodSource("presets")
  void rotationsConjugationAndHoisting(CkksPreset preset) {
    int[] steps = {1, 2, 3, 5, 8, 16, 64, -1, -7, 100};
    Fixture f = Fixture.of(preset, steps);
    int slots = f.encoder.slots();
    SplittableRandom r = new SplittableRandom(2);
    double[] re = HeTestSupport.randomValues(r, slots, 1);
    double[] im = HeTestSupport.randomValues(r, slots, 1);
    Ciphertext ct = f.enc.encrypt(
        f.encoder.encodeComplex(re, im, f.ctx.parameters().maxLevel(), f.ctx.parameters().defaultScale()));
    Ciphertext[] hoisted = f.eval.rotateHoisted(ct, steps);
    for (int i = 0; i < steps.length; i++) {
      Ciphertext single = f.eval.rotate(ct, steps[i]);
      double[][] s = f.encoder.decodeComplex(f.dec.decrypt(single));
      double[][] h = f.encoder.decodeComplex(f.dec.decrypt(hoisted[i]));
      assertClose(rotated(re, steps[i]), s[0], 2 * f.fresh, "rotate " + steps[i] + " re");
      assertClose(rotated(im, steps[i]), s[1], 2 * f.fresh, "rotate " + steps[i] + " im");
      assertClose(s[0], h[0], 2 * f.fresh, "hoisted == sequential, step " + steps[i]);
      assertClose(s[1], h[1], 2 * f.fresh, "hoisted == sequential, step " + steps[i]);
    }
    double[][] conj = f.encoder.decodeComplex(f.dec.decrypt(f.eval.conjugate(ct)));
    double[] negIm = new double[slots];
    for (int i = 0; i < slots; i++) {
      negIm[i] = -im[i];
    }
    assertClose(re, conj[0], 2 * f.fresh, "conjugate re");
    assertClose(negIm, conj[1], 2 * f.fresh, "conjugate im");
    assertSame(ct, f.eval.rotate(ct, 0));
    assertSame(ct, f.eval.rotate(ct, slots));
  }

  /**
   * {@code sumOfRotations} (one ModDown for the sum, shared decompositions) against the slot sums in
   * doubles and against the sum of single rotations: terms repeated, a step 0, a second input, and
   * a sum of one term. The bound is that of one rotation per term (the sum rounds once, not less).
   */
  @ParameterizedTest
  @MethodSource("presets")
  void sumOfRotationsMatchesSlotSums(CkksPreset preset) {
    int[] keySteps = {1, 3, -7, 64};
    Fixture f = Fixture.of(preset, keySteps);
    int slots = f.encoder.slots();
    SplittableRandom r = new SplittableRandom(5);
    double[] a = HeTestSupport.randomValues(r, slots, 1);
    double[] b = HeTestSupport.randomValues(r, slots, 1);
    Ciphertext ca = f.encrypt(a);
    Ciphertext cb = f.encrypt(b);
    Ciphertext[] terms = {ca, cb, ca, ca, cb, ca};
    int[] steps = {1, 3, 0, -7, 64, 64};
    double[][] values = {a, b, a, a, b, a};
    double[] expected = new double[slots];
    for (int t = 0; t < terms.length; t++) {
      double[] rot = rotated(values[t], steps[t]);
      for (int i = 0; i < slots; i++) {
        expected[i] += rot[i];
      }
    }
    Ciphertext sum = f.eval.sumOfRotations(terms, steps);
    assertEquals(ca.level(), sum.level());
    assertEquals(ca.scale(), sum.scale());
    assertClose(expected, f.decrypt(sum), 2 * terms.length * f.fresh, "sum of rotations");
    Ciphertext sequential = f.eval.rotate(terms[0], steps[0]);
    for (int t = 1; t < terms.length; t++) {
      sequential = f.eval.add(sequential, f.eval.rotate(terms[t], steps[t]));
    }
    assertClose(f.decrypt(sequential), f.decrypt(sum), 4 * terms.length * f.fresh, "== sum of single rotations");
    assertClose(rotated(b, -7), f.decrypt(f.eval.sumOfRotations(new Ciphertext[] {cb}, new int[] {-7})),
        2 * f.fresh, "one term");
    assertClose(a, f.decrypt(f.eval.sumOfRotations(new Ciphertext[] {ca}, new int[] {0})), f.fresh, "step 0 only");
    assertThrows(IllegalStateException.class, () -> f.eval.sumOfRotations(new Ciphertext[] {ca}, new int[] {2}));
    assertThrows(IllegalArgumentException.class,
        () -> f.eval.sumOfRotations(new Ciphertext[] {ca, f.eval.dropToLevel(cb, cb.level() - 1)}, new int[] {1, 1}));
    assertThrows(IllegalArgumentException.class, () -> f.eval.sumOfRotations(new Ciphertext[0], new int[0]));
  }

  @Test
  void missingKeysAreClearErrors() {
    Fixture f = Fixture.of(CkksPreset.N12_QP109_128, new int[] {1});
    Ciphertext ct = f.encrypt(new double[] {1, 2, 3});
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.eval.rotate(ct, 2));
    assertTrue(e.getMessage().contains("rotation by 2"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> f.eval.rotateHoisted(ct, new int[] {1, 3}));
    Evaluator bare = new Evaluator(f.ctx);
    assertThrows(IllegalStateException.class, () -> bare.relinearize(bare.mul(ct, ct)));
    assertThrows(IllegalArgumentException.class, () -> f.eval.rotate(f.eval.mul(ct, ct), 1));
  }

  /** The figure issue 2 asks for: ≥ 24 bits after mul + rescale at logN 14, scale 2^40. */
  @Test
  void precisionAfterMulRescaleAtLogN14IsAtLeast24Bits() {
    Fixture f = Fixture.of(CkksPreset.N14_QP438_128, new int[0]);
    SplittableRandom r = new SplittableRandom(4);
    double[] a = HeTestSupport.randomValues(r, f.encoder.slots(), 1);
    double[] b = HeTestSupport.randomValues(r, f.encoder.slots(), 1);
    double[] out = f.decrypt(f.eval.rescale(f.eval.mulRelin(f.encrypt(a), f.encrypt(b))));
    double[] ab = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      ab[i] = a[i] * b[i];
    }
    double bits = -Math.log(maxError(ab, out)) / Math.log(2);
    assertTrue(bits >= 24, "max-error precision " + bits + " bits");
  }
}
