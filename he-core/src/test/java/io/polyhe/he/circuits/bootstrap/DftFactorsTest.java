package io.polyhe.he.circuits.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DFT factors against the decoding map evaluated directly, in doubles. */
class DftFactorsTest {

  /** z_k = Σ_j w_j ζ^(5^k·j), ζ = exp(iπ/(2n)): the decoding of w_j = c_j + i·c_(j+n). */
  static double[][] decodeDirect(double[] wr, double[] wi) {
    int n = wr.length;
    double[] zr = new double[n];
    double[] zi = new double[n];
    long five = 1;
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < n; j++) {
        double th = Math.PI * ((five * j) % (4L * n)) / (2.0 * n);
        zr[k] += wr[j] * Math.cos(th) - wi[j] * Math.sin(th);
        zi[k] += wr[j] * Math.sin(th) + wi[j] * Math.cos(th);
      }
      five = five * 5 % (4L * n);
    }
    return new double[][] {zr, zi};
  }

  static double[][] applyAll(List<SlotMatrix> factors, double[][] v) {
    for (SlotMatrix m : factors) {
      v = m.apply(v[0], v[1]);
    }
    return v;
  }

  @ParameterizedTest
  @CsvSource({"2,1,1", "16,1,4", "64,3,2", "64,6,6", "128,4,3"})
  void slotsToCoeffsDecodesAndCoeffsToSlotsInverts(int n, int s2cLevels, int c2sLevels) {
    SplittableRandom r = new SplittableRandom(n);
    double[] wr = new double[n];
    double[] wi = new double[n];
    for (int j = 0; j < n; j++) {
      wr[j] = r.nextDouble() * 2 - 1;
      wi[j] = r.nextDouble() * 2 - 1;
    }
    double[][] expected = decodeDirect(wr, wi);
    List<SlotMatrix> s2c = DftFactors.slotsToCoeffs(n, s2cLevels, 1.0);
    assertEquals(s2cLevels, s2c.size());
    double[][] z = applyAll(s2c, new double[][] {DftFactors.bitReverse(wr), DftFactors.bitReverse(wi)});
    for (int k = 0; k < n; k++) {
      assertEquals(expected[0][k], z[0][k], 1e-12 * n);
      assertEquals(expected[1][k], z[1][k], 1e-12 * n);
    }
    double[][] back = applyAll(DftFactors.coeffsToSlots(n, c2sLevels, 3.0), z);
    double[] br = DftFactors.bitReverse(wr);
    double[] bi = DftFactors.bitReverse(wi);
    for (int j = 0; j < n; j++) {
      assertEquals(3 * br[j], back[0][j], 1e-12 * n);
      assertEquals(3 * bi[j], back[1][j], 1e-12 * n);
    }
  }

  /** k merged stages at distances that are consecutive powers of two give at most 2^(k+1) − 1 diagonals. */
  @ParameterizedTest
  @CsvSource({"1024,1", "1024,2", "1024,5", "32768,3"})
  void mergedFactorsHaveFewDiagonals(int n, int levels) {
    int stages = Integer.numberOfTrailingZeros(n);
    int k = (stages + levels - 1) / levels;
    for (List<SlotMatrix> fs : List.of(DftFactors.coeffsToSlots(n, levels, 1.0), DftFactors.slotsToCoeffs(n, levels, 1.0))) {
      for (SlotMatrix m : fs) {
        assertTrue(m.offsets().length <= Math.min(n, (1 << (k + 1)) - 1), m + " has too many diagonals");
      }
    }
  }
}
