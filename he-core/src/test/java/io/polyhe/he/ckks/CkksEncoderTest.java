package io.polyhe.he.ckks;

import static io.polyhe.he.HeTestSupport.maxError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Plaintext;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encoder round trips and the slot order. Error bound: rounding each of the N coefficients moves
 * every slot by at most N·0.5/Δ (triangle inequality over unit-modulus roots), plus double rounding
 * in the FFTs (below 1e-12 for |values| ≤ 1).
 */
class CkksEncoderTest {

  static Stream<CkksPreset> presets() {
    return HeTestSupport.presets();
  }

  static double encodingBound(CkksParameters p, double scale) {
    return p.n() * 0.5 / scale + 1e-12;
  }

  @ParameterizedTest
  @MethodSource("presets")
  void roundTripWithinBound(CkksPreset preset) {
    CkksContext ctx = HeTestSupport.context(preset);
    CkksEncoder encoder = new CkksEncoder(ctx);
    SplittableRandom r = new SplittableRandom(preset.ordinal());
    double[] re = HeTestSupport.randomValues(r, encoder.slots(), 1);
    double[] im = HeTestSupport.randomValues(r, encoder.slots(), 1);
    double scale = ctx.parameters().defaultScale();
    for (int level : new int[] {0, ctx.parameters().maxLevel()}) {
      Plaintext pt = encoder.encodeComplex(re, im, level, scale);
      assertEquals(level, pt.level());
      double[][] back = encoder.decodeComplex(pt);
      double bound = encodingBound(ctx.parameters(), scale);
      assertTrue(maxError(re, back[0]) <= bound, "re error " + maxError(re, back[0]));
      assertTrue(maxError(im, back[1]) <= bound, "im error " + maxError(im, back[1]));
    }
  }

  @Test
  void coefficientsBeyond62BitsAreReducedExactly() {
    // Scale 2^70 at the top level of N14 (340 bits): coefficients exceed 2^62.
    CkksContext ctx = HeTestSupport.context(CkksPreset.N14_QP438_128);
    CkksEncoder encoder = new CkksEncoder(ctx);
    double[] v = HeTestSupport.randomValues(new SplittableRandom(1), encoder.slots(), 100);
    double scale = 0x1p70;
    double[] back = encoder.decode(encoder.encode(v, ctx.parameters().maxLevel(), scale));
    // Relative precision is limited by doubles (2^-52 of the largest coefficient) here.
    assertTrue(maxError(v, back) < 1e-9, "error " + maxError(v, back));
  }

  @Test
  void rotationAndConjugationAreAutomorphisms() {
    CkksContext ctx = HeTestSupport.context(CkksPreset.N12_QP109_128);
    CkksEncoder encoder = new CkksEncoder(ctx);
    int slots = encoder.slots();
    int n = ctx.parameters().n();
    SplittableRandom r = new SplittableRandom(2);
    double[] re = HeTestSupport.randomValues(r, slots, 1);
    double[] im = HeTestSupport.randomValues(r, slots, 1);
    Plaintext pt = encoder.encodeComplex(re, im, 1, ctx.parameters().defaultScale());
    double bound = 2 * encodingBound(ctx.parameters(), ctx.parameters().defaultScale());
    for (int k : new int[] {1, 2, 7, slots - 1}) {
      long galois = 1;
      for (int i = 0; i < k; i++) {
        galois = galois * 5 % (2L * n);
      }
      RnsPoly rotated = new RnsPoly(pt.poly().basis(), true);
      ctx.rlwe().ring().automorphism(pt.poly(), (int) galois, rotated);
      double[][] out =
          encoder.decodeComplex(new Plaintext(pt.parameters(), rotated, pt.scale()));
      for (int j = 0; j < slots; j++) {
        assertEquals(re[(j + k) % slots], out[0][j], bound, "rotation " + k + " slot " + j);
        assertEquals(im[(j + k) % slots], out[1][j], bound);
      }
    }
    RnsPoly conj = new RnsPoly(pt.poly().basis(), true);
    ctx.rlwe().ring().automorphism(pt.poly(), 2 * n - 1, conj);
    double[][] out = encoder.decodeComplex(new Plaintext(pt.parameters(), conj, pt.scale()));
    for (int j = 0; j < slots; j++) {
      assertEquals(re[j], out[0][j], bound);
      assertEquals(-im[j], out[1][j], bound);
    }
  }

  @Test
  void shortInputsAreZeroPaddedAndBadInputsRejected() {
    CkksContext ctx = HeTestSupport.context(CkksPreset.N12_QP109_128);
    CkksEncoder encoder = new CkksEncoder(ctx);
    double[] back = encoder.decode(encoder.encode(new double[] {0.5, -0.25}));
    assertEquals(0.5, back[0], 1e-6);
    assertEquals(-0.25, back[1], 1e-6);
    assertEquals(0, back[2], 1e-6);
    assertEquals(0, back[encoder.slots() - 1], 1e-6);
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(new double[encoder.slots() + 1]));
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(new double[] {Double.NaN}));
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(new double[] {1}, 5, 0x1p30));
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(new double[] {1}, 0, -1));
    assertThrows(IllegalArgumentException.class,
        () -> encoder.encodeComplex(new double[2], new double[3], 0, 0x1p30));
    // 1e6 at scale 2^30 needs ~50 bits; level 0 holds 36: refused instead of wrapping.
    IllegalArgumentException wrap = assertThrows(IllegalArgumentException.class,
        () -> encoder.encode(new double[] {1e6}, 0, 0x1p30));
    assertTrue(wrap.getMessage().contains("level 0 holds"), wrap.getMessage());
  }
}
