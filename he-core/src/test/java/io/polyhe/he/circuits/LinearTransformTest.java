package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Plaintext matrix × encrypted vector against the same product in doubles (computed directly from
 * the weights, not from the diagonals). Keys are generated for exactly the declared Galois
 * elements, so an undeclared rotation fails.
 *
 * <p>Bound: inputs and weights in [-1, 1]; each output is a sum of {@code d_in} products, each with
 * error about {@code 2^-30} (scale-2^40 sets) or {@code 2^-26} (scale-2^36 and 2^30 sets) relative
 * to the input's unit, plus key-switching noise per rotation: {@code 2^-22} and {@code 2^-16} for
 * {@code d_in <= 64} leave an order of magnitude of room.
 */
class LinearTransformTest {

  static double bound(CircuitFixture.Params p) {
    return p == CircuitFixture.Params.N11_L12 ? 0x1p-22 : 0x1p-16;
  }

  static double[][] randomMatrix(SplittableRandom r, int rows, int cols) {
    double[][] w = new double[rows][];
    for (int i = 0; i < rows; i++) {
      w[i] = HeTestSupport.randomValues(r, cols, 1);
    }
    return w;
  }

  /** Reference: y[t·outStride + i] = Σ_j W[i][j]·v[t·inStride + j] + bias[i]. */
  static double[] reference(double[][] w, int blocks, int inStride, int outStride, double[] bias, double[] v, int slots) {
    double[] y = new double[slots];
    for (int t = 0; t < blocks; t++) {
      for (int i = 0; i < w.length; i++) {
        double s = bias == null ? 0 : bias[i];
        for (int j = 0; j < w[0].length; j++) {
          s += w[i][j] * v[t * inStride + j];
        }
        y[t * outStride + i] = s;
      }
    }
    return y;
  }

  static void check(CircuitFixture.Params p, LinearTransform lt, double[] v, double[] expected, int level) {
    CircuitFixture f = CircuitFixture.of(p, lt.galoisElements());
    Ciphertext in = f.encrypt(v, level, f.params().defaultScale());
    DepthSimulator sim = new DepthSimulator(f.params());
    SimulatedCiphertext predicted = lt.simulate(sim, CircuitFixture.twin(in));
    Ciphertext out = lt.evaluate(f.ar(), in);
    assertEquals(level - 1, out.level());
    assertEquals(predicted, CircuitFixture.twin(out), "dry run = real run");
    assertEquals(f.params().defaultScale(), out.scale(), 1e-9 * out.scale());
    assertArrayEquals(lt.galoisElements(), sim.galoisElementsUsed(), "declared = used");
    assertEquals(lt.rotationCount(), sim.counts().rotations());
    double[] y = f.decrypt(out);
    double err = HeTestSupport.maxError(expected, y);
    assertTrue(err <= bound(p), lt + ": error " + err + " above " + bound(p));
    assertArrayEquals(expected, lt.applyPlain(v), 1e-9, "plain twin");
  }

  /**
   * Three transforms of one input with one set of baby-step rotations give what each gives alone
   * (within the usual bound), with fewer rotations in the dry run.
   */
  @org.junit.jupiter.api.Test
  void transformsOfOneInputShareTheirBabySteps() {
    CircuitFixture.Params p = CircuitFixture.Params.N11_L12;
    SplittableRandom r = new SplittableRandom(7);
    int slots = p.params.slots();
    java.util.List<LinearTransform> lts = new java.util.ArrayList<>();
    java.util.List<double[][]> ws = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      double[][] w = randomMatrix(r, 16, 16);
      ws.add(w);
      lts.add(LinearTransform.of(p.params, BlockMatrix.blockDiagonal(w, 4, 32), null));
    }
    double[] v = HeTestSupport.randomValues(r, 4 * 32, 1);
    int[] galois = lts.get(0).galoisElements();
    CircuitFixture f = CircuitFixture.of(p, galois);
    Ciphertext in = f.encrypt(v, 2, f.params().defaultScale());
    java.util.List<Ciphertext> outs = LinearTransform.applyAll(f.ar(), in, lts);
    for (int i = 0; i < 3; i++) {
      double[] expected = reference(ws.get(i), 4, 32, 32, null, v, slots);
      double err = HeTestSupport.maxError(expected, f.decrypt(outs.get(i)));
      assertTrue(err <= bound(p), "transform " + i + ": error " + err);
    }
    DepthSimulator shared = new DepthSimulator(f.params());
    LinearTransform.applyAll(shared, shared.fresh(2, f.params().defaultScale()), lts);
    DepthSimulator alone = new DepthSimulator(f.params());
    for (LinearTransform lt : lts) {
      lt.apply(alone, alone.fresh(2, f.params().defaultScale()));
    }
    assertTrue(shared.counts().rotations() < alone.counts().rotations(),
        shared.counts().rotations() + " shared vs " + alone.counts().rotations() + " alone");
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void squareAndRectangularMatricesWithBias(CircuitFixture.Params p) {
    SplittableRandom r = new SplittableRandom(1);
    int slots = p.params.slots();
    for (int[] shape : new int[][] {{32, 32}, {16, 40}, {40, 16}}) {
      double[][] w = randomMatrix(r, shape[0], shape[1]);
      double[] bias = HeTestSupport.randomValues(r, shape[0], 1);
      double[] v = HeTestSupport.randomValues(r, shape[1], 1);
      LinearTransform lt = LinearTransform.of(p.params, BlockMatrix.single(w), bias);
      assertEquals(shape[0] + shape[1] - 1, lt.diagonalCount());
      check(p, lt, v, reference(w, 1, shape[1], shape[0], bias, v, slots), p.params.maxLevel());
    }
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void blockStructuredMatricesActOnEveryRow(CircuitFixture.Params p) {
    SplittableRandom r = new SplittableRandom(2);
    int slots = p.params.slots();
    // I_T ⊗ W, square, T·d filling the slots; and rectangular W (d_out < d_in) with a common stride.
    int d = 16;
    int t = slots / d;
    double[][] w = randomMatrix(r, d, d);
    double[] bias = HeTestSupport.randomValues(r, d, 1);
    double[] v = HeTestSupport.randomValues(r, slots, 1);
    LinearTransform lt = LinearTransform.of(p.params, BlockMatrix.blockDiagonal(w, t, d), bias);
    assertEquals(2 * d - 1, lt.diagonalCount());
    check(p, lt, v, reference(w, t, d, d, bias, v, slots), 3);

    double[][] rect = randomMatrix(r, 8, 12);
    double[] v2 = new double[slots];
    for (int row = 0; row < 8; row++) {
      System.arraycopy(HeTestSupport.randomValues(r, 12, 1), 0, v2, row * 16, 12);
    }
    LinearTransform lr = LinearTransform.of(p.params, new BlockMatrix(rect, 8, 16, 16), null);
    check(p, lr, v2, reference(rect, 8, 16, 16, null, v2, slots), p.params.maxLevel());
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void periodicInputNeedsOnlyNDiagonals(CircuitFixture.Params p) {
    SplittableRandom r = new SplittableRandom(3);
    int n = 64;
    double[][] w = randomMatrix(r, n, n);
    double[] v = HeTestSupport.randomValues(r, n, 1);
    RotateAndSum rep = RotateAndSum.replicate(p.params, n);
    LinearTransform lt = LinearTransform.ofPeriodicInput(p.params, BlockMatrix.single(w), n, null);
    assertEquals(n, lt.diagonalCount());
    int[] keys = Levels.sortedDistinct(java.util.stream.IntStream.concat(
        Arrays.stream(lt.galoisElements()), Arrays.stream(rep.galoisElements())));
    CircuitFixture f = CircuitFixture.of(p, keys);
    Ciphertext replicated = rep.evaluate(f.ar(), f.encrypt(v));
    Ciphertext out = lt.evaluate(f.ar(), replicated);
    double[] expected = reference(w, 1, n, n, null, v, p.params.slots());
    assertTrue(HeTestSupport.maxError(expected, f.decrypt(out)) <= bound(p));
  }

  @Test
  void precomputedEncodingsAreReusedAndTheTargetScaleIsHonoured() {
    CircuitFixture.Params p = CircuitFixture.Params.N11_L12;
    SplittableRandom r = new SplittableRandom(4);
    double[][] w = randomMatrix(r, 24, 24);
    LinearTransform lt = LinearTransform.of(p.params, BlockMatrix.single(w), null).withTargetScale(0x1p33);
    CircuitFixture f = CircuitFixture.of(p, lt.galoisElements());
    double[] v = HeTestSupport.randomValues(r, 24, 1);
    int level = 5;
    lt.precompute(f.ar(), level, f.params().defaultScale());
    Ciphertext out = lt.evaluate(f.ar(), f.encrypt(v, level, f.params().defaultScale()));
    assertEquals(0x1p33, out.scale(), 1e-9 * out.scale());
    assertTrue(HeTestSupport.maxError(reference(w, 1, 24, 24, null, v, p.params.slots()), f.decrypt(out)) <= 1e-4);
    lt.clearCache();
  }

  /**
   * One transform over several ciphertexts (the rows of an activation split over them): each
   * output matches the product in doubles, with kept encodings and with transient ones (which
   * leave nothing cached), and both agree to the last bit with applying to each alone.
   */
  @Test
  void appliesToSeveralInputsWithKeptOrTransientEncodings() {
    CircuitFixture.Params p = CircuitFixture.Params.N10_L6;
    SplittableRandom r = new SplittableRandom(6);
    double[][] w = randomMatrix(r, 16, 16);
    LinearTransform kept = LinearTransform.of(p.params, BlockMatrix.blockDiagonal(w, 4, 32), null);
    // Its own diagonals: a transform made with withTransientEncodings shares (and counts) the caches.
    LinearTransform transient_ =
        LinearTransform.of(p.params, BlockMatrix.blockDiagonal(w, 4, 32), null).withTransientEncodings();
    assertTrue(kept.retainsEncodings());
    assertTrue(!transient_.retainsEncodings() && !transient_.withTargetScale(0x1p30).retainsEncodings());
    CircuitFixture f = CircuitFixture.of(p, kept.galoisElements());
    int slots = p.params.slots();
    java.util.List<double[]> vs = new java.util.ArrayList<>();
    java.util.List<Ciphertext> ins = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      double[] v = HeTestSupport.randomValues(r, 4 * 32, 1);
      vs.add(v);
      ins.add(f.encrypt(v, 3, f.params().defaultScale()));
    }
    java.util.List<Ciphertext> fromKept = kept.applyToAll(f.ar(), ins);
    java.util.List<Ciphertext> fromTransient = transient_.applyToAll(f.ar(), ins);
    for (int i = 0; i < 3; i++) {
      double[] expected = reference(w, 4, 32, 32, null, vs.get(i), slots);
      double err = HeTestSupport.maxError(expected, f.decrypt(fromKept.get(i)));
      assertTrue(err <= bound(p), "input " + i + ": error " + err);
      assertArrayEquals(f.decrypt(kept.apply(f.ar(), ins.get(i))), f.decrypt(fromKept.get(i)), 0.0);
      assertArrayEquals(f.decrypt(fromKept.get(i)), f.decrypt(fromTransient.get(i)), 0.0);
    }
    assertTrue(kept.cachedEncodings() > 0);
    assertEquals(0, transient_.cachedEncodings(), "transient encodings are let go");
  }

  /**
   * A map given by complex diagonals, {@code y[i] = Σ_k d_k[i]·v[i+k]}, on a complex input against
   * the same sum in complex doubles: dense offsets searched over any size, and sparse ones at a
   * common stride over powers of two (bootstrapping's DFT factors). Dry run = real run; declared
   * keys = used ones. Bound as for real matrices: at most 7 terms of modulus below 2.
   */
  @ParameterizedTest
  @EnumSource(LinearTransform.BabySteps.class)
  void complexDiagonalsMatchTheSumInComplexDoubles(LinearTransform.BabySteps search) {
    CircuitFixture.Params p = CircuitFixture.Params.N11_L12;
    int slots = p.params.slots();
    SplittableRandom r = new SplittableRandom(9);
    int[] offsets = search == LinearTransform.BabySteps.ANY_SIZE ? new int[] {-3, -2, -1, 0, 1, 2, 3}
        : new int[] {-96, -32, 0, 32, 64, 160, 256};
    java.util.Map<Integer, double[][]> diagonals = new java.util.TreeMap<>();
    for (int k : offsets) {
      diagonals.put(k, new double[][] {HeTestSupport.randomValues(r, slots, 1), HeTestSupport.randomValues(r, slots, 1)});
    }
    diagonals.get(0)[1] = null; // a real diagonal among complex ones
    LinearTransform lt = LinearTransform.ofDiagonals(p.params, diagonals, search);
    assertEquals(offsets.length, lt.diagonalCount());
    if (search == LinearTransform.BabySteps.POWERS_OF_TWO) {
      assertEquals(0, lt.babyStep() % 32, "a power of two times the stride 32: " + lt.babyStep());
      assertEquals(0, Integer.bitCount(lt.babyStep() / 32) - 1);
    }
    double[] vr = HeTestSupport.randomValues(r, slots, 1);
    double[] vi = HeTestSupport.randomValues(r, slots, 1);
    double[] er = new double[slots];
    double[] ei = new double[slots];
    for (java.util.Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      double[] dr = e.getValue()[0];
      double[] di = e.getValue()[1] == null ? new double[slots] : e.getValue()[1];
      for (int i = 0; i < slots; i++) {
        int j = Math.floorMod(i + e.getKey(), slots);
        er[i] += dr[i] * vr[j] - di[i] * vi[j];
        ei[i] += dr[i] * vi[j] + di[i] * vr[j];
      }
    }
    CircuitFixture f = CircuitFixture.of(p, lt.galoisElements());
    Ciphertext in = f.enc().encrypt(f.encoder().encodeComplex(vr, vi, 4, f.params().defaultScale()));
    DepthSimulator sim = new DepthSimulator(f.params());
    SimulatedCiphertext predicted = lt.simulate(sim, CircuitFixture.twin(in));
    Ciphertext out = lt.evaluate(f.ar(), in);
    assertEquals(predicted, CircuitFixture.twin(out), "dry run = real run");
    assertArrayEquals(lt.galoisElements(), sim.galoisElementsUsed(), "declared = used");
    assertEquals(lt.rotationCount(), sim.counts().rotations());
    double[][] y = f.encoder().decodeComplex(f.dec().decrypt(out));
    double err = Math.max(HeTestSupport.maxError(er, y[0]), HeTestSupport.maxError(ei, y[1]));
    assertTrue(err <= bound(p), lt + ": error " + err + " above " + bound(p));
    assertThrows(IllegalStateException.class, () -> lt.applyPlain(vr), "no block matrix to multiply by");
    assertThrows(IllegalArgumentException.class, () -> LinearTransform.ofDiagonals(p.params,
        java.util.Map.of(1, new double[][] {new double[slots - 1], null}), search));
    assertThrows(IllegalArgumentException.class,
        () -> LinearTransform.ofDiagonals(p.params, java.util.Map.of(), search));
  }

  @Test
  void aMissingDeclaredKeyFailsBeforeAnyWork() {
    CircuitFixture.Params p = CircuitFixture.Params.N10_L6;
    double[][] w = randomMatrix(new SplittableRandom(5), 8, 8);
    LinearTransform lt = LinearTransform.of(p.params, BlockMatrix.single(w), null);
    int[] declared = lt.galoisElements();
    CircuitFixture f = CircuitFixture.of(p, Arrays.copyOf(declared, declared.length - 1));
    assertThrows(IllegalStateException.class, () -> lt.evaluate(f.ar(), f.encrypt(new double[] {1})));
  }

  @Test
  void badInputIsRejected() {
    var params = CircuitFixture.Params.N10_L6.params;
    int slots = params.slots();
    assertThrows(IllegalArgumentException.class,
        () -> BlockMatrix.single(new double[][] {{1, 2}, {3}}));
    assertThrows(IllegalArgumentException.class, () -> BlockMatrix.single(new double[0][]));
    assertThrows(IllegalArgumentException.class, () -> new BlockMatrix(new double[][] {{1, 2}}, 2, 1, 1));
    // Does not fit: T·stride beyond the slots.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearTransform.of(params, BlockMatrix.blockDiagonal(new double[][] {{1}}, slots + 1, 1), null));
    assertTrue(e.getMessage().contains("slots"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> LinearTransform.of(params, BlockMatrix.single(new double[][] {{1, 2}}), new double[] {1, 2}));
    assertThrows(IllegalArgumentException.class,
        () -> LinearTransform.ofPeriodicInput(params, BlockMatrix.single(new double[][] {{1, 2, 3}}), 3, null));
    assertThrows(IllegalArgumentException.class,
        () -> LinearTransform.of(params, BlockMatrix.single(new double[][] {{0, 0}}), null));
    LinearTransform lt = LinearTransform.of(params, BlockMatrix.single(new double[][] {{1}}), null);
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6, lt.galoisElements());
    e = assertThrows(IllegalArgumentException.class,
        () -> lt.evaluate(f.ar(), f.encrypt(new double[] {1}, 0, f.params().defaultScale())));
    assertTrue(e.getMessage().contains("needs 1 level"), e.getMessage());
  }
}
