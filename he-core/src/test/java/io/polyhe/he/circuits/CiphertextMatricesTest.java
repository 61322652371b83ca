package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ciphertext–ciphertext building blocks against matrix arithmetic in doubles: rotate-and-sum,
 * masks, column broadcast, and attention's QKᵀ and A·V by diagonals, with references computed
 * from the matrices directly. Keys are generated for exactly the declared Galois elements.
 *
 * <p>Bounds: values in [-1, 1], sums of at most 16 terms, a few products and key switches:
 * {@code 2^-20} at scale 2^40 (N11_L12), {@code 2^-14} at scale 2^36 (N10_L6).
 */
class CiphertextMatricesTest {

  static double bound(CircuitFixture.Params p) {
    return p == CircuitFixture.Params.N11_L12 ? 0x1p-20 : 0x1p-14;
  }

  static int[] union(int[]... sets) {
    return Levels.sortedDistinct(Arrays.stream(sets).flatMapToInt(Arrays::stream));
  }

  static <T extends UnaryCircuit> void checkUnary(CircuitFixture.Params p, T c, double[] v, double[] expected) {
    CircuitFixture f = CircuitFixture.of(p, c.galoisElements());
    Ciphertext in = f.encrypt(v);
    DepthSimulator sim = new DepthSimulator(f.params());
    SimulatedCiphertext predicted = c.simulate(sim, CircuitFixture.twin(in));
    Ciphertext out = c.evaluate(f.ar(), in);
    assertEquals(predicted, CircuitFixture.twin(out), c + ": dry run = real run");
    assertEquals(in.level() - c.depth(), out.level());
    assertArrayEquals(c.galoisElements(), sim.galoisElementsUsed(), c + ": declared = used");
    double err = HeTestSupport.maxError(expected, f.decrypt(out));
    assertTrue(err <= bound(p), c + ": error " + err);
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void rotateAndSumRowSumsColumnSumsBroadcastAndReplicate(CircuitFixture.Params p) {
    SplittableRandom r = new SplittableRandom(1);
    int slots = p.params.slots();
    double[] v = HeTestSupport.randomValues(r, slots, 1);
    // Row sums of 12-slot rows (not a power of two): slot 12·t holds row t's sum.
    RotateAndSum rows = RotateAndSum.rowSums(p.params, 12);
    double[] expected = new double[slots];
    for (int i = 0; i < slots; i++) {
      for (int j = 0; j < 12; j++) {
        expected[i] += v[(i + j) % slots];
      }
    }
    checkUnary(p, rows, v, expected);
    // Column sums of an 8 × 16 matrix: row 0 holds them.
    RotateAndSum cols = new RotateAndSum(p.params, 8, 16);
    double[] m = Arrays.copyOf(v, 128);
    double[] colExpected = cols.applyPlain(m);
    for (int c = 0; c < 16; c++) {
      double s = 0;
      for (int t = 0; t < 8; t++) {
        s += m[t * 16 + c];
      }
      assertEquals(s, colExpected[c], 1e-12);
    }
    checkUnary(p, cols, m, colExpected);
    // Broadcast the first slot of each 4-slot block across it.
    double[] firsts = new double[64];
    double[] spread = new double[slots];
    for (int t = 0; t < 16; t++) {
      firsts[4 * t] = v[t];
      Arrays.fill(spread, 4 * t, 4 * t + 4, v[t]);
    }
    checkUnary(p, RotateAndSum.broadcast(p.params, 4), firsts, spread);
    // Replicate a 32-slot vector over all slots.
    double[] head = Arrays.copyOf(v, 32);
    double[] rep = new double[slots];
    for (int i = 0; i < slots; i++) {
      rep[i] = head[i % 32];
    }
    checkUnary(p, RotateAndSum.replicate(p.params, 32), head, rep);
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void masksAndColumnBroadcastLandOnTheTargetScale(CircuitFixture.Params p) {
    SplittableRandom r = new SplittableRandom(2);
    int slots = p.params.slots();
    double[] v = HeTestSupport.randomValues(r, slots, 1);
    double[] m = new double[slots];
    for (int i = 0; i < slots; i += 3) {
      m[i] = 1;
    }
    double[] masked = new double[slots];
    for (int i = 0; i < slots; i++) {
      masked[i] = v[i] * m[i];
    }
    checkUnary(p, new Mask(p.params, m), v, masked);
    // Column 2 of each 4-slot head segment of an 8 × (2 heads × 4) matrix, halved.
    MatrixLayout layout = MatrixLayout.heads(8, 2, 4);
    ColumnBroadcast cb = new ColumnBroadcast(p.params, layout, 2, 0.5);
    double[] expected = new double[slots];
    for (int t = 0; t < 8; t++) {
      for (int h = 0; h < 2; h++) {
        for (int c = 0; c < 4; c++) {
          expected[t * 8 + h * 4 + c] = 0.5 * v[t * 8 + h * 4 + 2];
        }
      }
    }
    double[] in = Arrays.copyOf(v, layout.extent());
    checkUnary(p, cb, in, expected);
    assertArrayEquals(expected, cb.applyPlain(in), 1e-12);
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void attentionScoresAndWeightedValuesByDiagonals(CircuitFixture.Params p) {
    int rows = 8;
    int heads = 2;
    int dh = 4;
    MatrixLayout layout = MatrixLayout.heads(rows, heads, dh);
    SplittableRandom r = new SplittableRandom(3);
    double[][] q = new double[rows][];
    double[][] k = new double[rows][];
    double[][] v = new double[rows][];
    for (int t = 0; t < rows; t++) {
      q[t] = HeTestSupport.randomValues(r, heads * dh, 1);
      k[t] = HeTestSupport.randomValues(r, heads * dh, 1);
      v[t] = HeTestSupport.randomValues(r, heads * dh, 1);
    }
    double factor = 1 / Math.sqrt(dh);
    for (boolean causal : new boolean[] {true, false}) {
      int[] offsets = causal ? IntStream.range(0, rows).map(i -> -i).toArray()
          : IntStream.range(-(rows - 1), rows).toArray();
      DiagonalScores scores = new DiagonalScores(p.params, layout, offsets, factor);
      DiagonalProduct product = new DiagonalProduct(p.params, layout, offsets);
      CircuitFixture f = CircuitFixture.of(p, union(scores.galoisElements(), product.galoisElements()));
      Ciphertext qc = f.encrypt(pack(q));
      Ciphertext kc = f.encrypt(pack(k));
      Ciphertext vc = f.encrypt(pack(v));
      int top = f.params().maxLevel();

      DepthSimulator sim = new DepthSimulator(f.params());
      List<SimulatedCiphertext> simDiags = scores.apply(sim, CircuitFixture.twin(qc), CircuitFixture.twin(kc));
      assertArrayEquals(scores.galoisElements(), sim.galoisElementsUsed(), "scores: declared = used");
      List<Ciphertext> diags = scores.apply(f.ar(), qc, kc);
      for (int i = 0; i < offsets.length; i++) {
        assertEquals(simDiags.get(i), CircuitFixture.twin(diags.get(i)));
        assertEquals(top - scores.depth(), diags.get(i).level());
        assertEquals(f.params().defaultScale(), diags.get(i).scale(), 1e-9 * diags.get(i).scale());
        double[] got = f.decrypt(diags.get(i));
        double[] want = new double[got.length];
        for (int t = 0; t < rows; t++) {
          int j = t + offsets[i];
          for (int h = 0; h < heads && j >= 0 && j < rows; h++) {
            double s = 0;
            for (int c = 0; c < dh; c++) {
              s += q[t][h * dh + c] * k[j][h * dh + c];
            }
            want[t * heads * dh + h * dh] = factor * s;
          }
        }
        assertTrue(HeTestSupport.maxError(want, got) <= bound(p), "score diagonal " + offsets[i]);
      }

      DepthSimulator sim2 = new DepthSimulator(f.params());
      SimulatedCiphertext simOut = product.apply(sim2, simDiags, CircuitFixture.twin(vc));
      assertArrayEquals(product.galoisElements(), sim2.galoisElementsUsed(), "product: declared = used");
      Ciphertext out = product.apply(f.ar(), diags, vc);
      assertEquals(simOut, CircuitFixture.twin(out));
      assertEquals(top - 3, out.level());
      assertEquals(f.params().defaultScale(), out.scale(), 1e-9 * out.scale());
      double[] want = new double[p.params.slots()];
      for (int t = 0; t < rows; t++) {
        for (int h = 0; h < heads; h++) {
          for (int c = 0; c < dh; c++) {
            double s = 0;
            for (int j = 0; j < rows; j++) {
              if (causal && j > t) {
                continue;
              }
              double a = 0;
              for (int e = 0; e < dh; e++) {
                a += q[t][h * dh + e] * k[j][h * dh + e];
              }
              s += factor * a * v[j][h * dh + c];
            }
            want[t * heads * dh + h * dh + c] = s;
          }
        }
      }
      double err = HeTestSupport.maxError(want, f.decrypt(out));
      assertTrue(err <= 4 * bound(p), (causal ? "causal" : "full") + " A·V error " + err);
    }
  }

  static double[] pack(double[][] m) {
    double[] out = new double[m.length * m[0].length];
    for (int t = 0; t < m.length; t++) {
      System.arraycopy(m[t], 0, out, t * m[0].length, m[0].length);
    }
    return out;
  }

  @Test
  void badInputIsRejected() {
    var params = CircuitFixture.Params.N10_L6.params;
    MatrixLayout layout = MatrixLayout.heads(8, 2, 4);
    assertThrows(IllegalArgumentException.class, () -> new MatrixLayout(8, 4, 8, 4));
    assertThrows(IllegalArgumentException.class, () -> new MatrixLayout(8, 8, 8, 3));
    assertThrows(IllegalArgumentException.class, () -> new DiagonalScores(params, layout, new int[] {8}, 1));
    assertThrows(IllegalArgumentException.class, () -> new DiagonalScores(params, layout, new int[0], 1));
    assertThrows(IllegalArgumentException.class,
        () -> new DiagonalScores(params, MatrixLayout.dense(params.slots(), 2), new int[] {0}, 1));
    assertThrows(IllegalArgumentException.class, () -> new ColumnBroadcast(params, layout, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> new RotateAndSum(params, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new RotateAndSum(params, params.slots() + 1, 1));
    assertThrows(IllegalArgumentException.class, () -> RotateAndSum.replicate(params, 3));
    assertThrows(IllegalArgumentException.class, () -> new Mask(params, new double[params.slots() + 1]));

    DiagonalScores scores = new DiagonalScores(params, layout, new int[] {0, -1}, 1);
    DiagonalProduct product = new DiagonalProduct(params, layout, new int[] {0, -1});
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6,
        union(scores.galoisElements(), product.galoisElements()));
    Ciphertext one = f.encrypt(new double[] {1}, 1, f.params().defaultScale());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scores.apply(f.ar(), one, one));
    assertTrue(e.getMessage().contains("needs 2 levels"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> product.apply(f.ar(), List.of(one), one));
    Ciphertext zero = f.encrypt(new double[] {1}, 0, f.params().defaultScale());
    e = assertThrows(IllegalArgumentException.class, () -> product.apply(f.ar(), List.of(zero, zero), one));
    assertTrue(e.getMessage().contains("needs 1 level"), e.getMessage());
  }
}
