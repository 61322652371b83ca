package io.polyhe.he.circuits.bootstrap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CKKS decoding map on {@code n} slots (the "special FFT" of {@link
 * io.polyhe.he.ckks.CkksEncoder}, evaluation at {@code ζ^(5^k)}, {@code ζ = exp(iπ/(2n))}) and its
 * inverse, factored into their {@code log2 n} butterfly stages, each a {@link SlotMatrix} with three
 * diagonals ({@code 0, ±len/2}), then merged into a chosen number of factors (one level each).
 *
 * <p>The bit-reversal permutation that the FFT needs is left out of both: CoeffsToSlots returns
 * the coefficients in bit-reversed order and SlotsToCoeffs takes them so, and the slot-wise
 * modular reduction between them does not care about order. Why merge: {@code k} stages cost one
 * level and about {@code 2·sqrt(2^(k+1))} rotations; fewer, denser factors trade rotations for
 * levels.
 */
public final class DftFactors {
  private DftFactors() {}

  /** Angles {@code 2π·(5^j mod 4·len)/(4·len)} of the butterflies j < len/2 of a stage. */
  private static double[] angles(int len) {
    int lenq = 4 * len;
    double[] out = new double[len / 2];
    long p = 1;
    for (int j = 0; j < out.length; j++) {
      out[j] = 2 * Math.PI * p / lenq;
      p = p * 5 % lenq;
    }
    return out;
  }

  /** SlotsToCoeffs direction (coefficients, bit-reversed, to slots): stage of length len. */
  static SlotMatrix decodeStage(int n, int len) {
    int lenh = len / 2;
    double[][] d0 = zeros(n);
    double[][] dPlus = zeros(n);
    double[][] dMinus = zeros(n);
    double[] angles = angles(len);
    for (int i = 0; i < n; i += len) {
      for (int j = 0; j < lenh; j++) {
        double th = angles[j];
        int a = i + j;
        int b = a + lenh;
        d0[0][a] = 1;
        dPlus[0][a] = Math.cos(th);
        dPlus[1][a] = Math.sin(th);
        dMinus[0][b] = 1;
        d0[0][b] = -Math.cos(th);
        d0[1][b] = -Math.sin(th);
      }
    }
    return fromThree(n, lenh, d0, dPlus, dMinus);
  }

  /** CoeffsToSlots direction (slots to coefficients, bit-reversed): stage of length len. */
  static SlotMatrix encodeStage(int n, int len) {
    int lenh = len / 2;
    double[][] d0 = zeros(n);
    double[][] dPlus = zeros(n);
    double[][] dMinus = zeros(n);
    double[] angles = angles(len);
    for (int i = 0; i < n; i += len) {
      for (int j = 0; j < lenh; j++) {
        double th = -angles[j];
        int a = i + j;
        int b = a + lenh;
        d0[0][a] = 1;
        dPlus[0][a] = 1;
        dMinus[0][b] = Math.cos(th);
        dMinus[1][b] = Math.sin(th);
        d0[0][b] = -Math.cos(th);
        d0[1][b] = -Math.sin(th);
      }
    }
    return fromThree(n, lenh, d0, dPlus, dMinus);
  }

  private static SlotMatrix fromThree(int n, int lenh, double[][] d0, double[][] dPlus, double[][] dMinus) {
    Map<Integer, double[][]> m = new TreeMap<>();
    m.put(0, d0);
    int plus = lenh % n;
    int minus = Math.floorMod(-lenh, n);
    if (plus == minus) { // the last stage: +n/2 and -n/2 are one diagonal, on disjoint rows
      for (int i = 0; i < n; i++) {
        dPlus[0][i] += dMinus[0][i];
        dPlus[1][i] += dMinus[1][i];
      }
      m.put(plus, dPlus);
    } else {
      m.put(plus, dPlus);
      m.put(minus, dMinus);
    }
    return new SlotMatrix(n, m);
  }

  private static double[][] zeros(int n) {
    return new double[][] {new double[n], new double[n]};
  }

  /**
   * CoeffsToSlots on {@code n} slots as {@code levels} factors, in the order they are applied, with
   * the real constant {@code scalar} spread evenly over them: the product maps slot values {@code
   * z} to {@code scalar · bitReverse(w)} where {@code w_j = c_j + i·c_(j+n)} are the coefficients.
   *
   * @throws IllegalArgumentException unless n is a power of two ≥ 2 and 1 ≤ levels ≤ log2 n
   */
  public static List<SlotMatrix> coeffsToSlots(int n, int levels, double scalar) {
    int logN = check(n, levels);
    List<SlotMatrix> stages = new ArrayList<>();
    for (int len = n; len >= 2; len >>= 1) {
      stages.add(encodeStage(n, len));
    }
    return merge(stages, levels, scalar / n, logN, false);
  }

  /**
   * SlotsToCoeffs on {@code n} slots as {@code levels} factors in application order: maps {@code
   * bitReverse(w)} to {@code scalar · z}, the inverse of {@link #coeffsToSlots} up to scalars.
   */
  public static List<SlotMatrix> slotsToCoeffs(int n, int levels, double scalar) {
    int logN = check(n, levels);
    List<SlotMatrix> stages = new ArrayList<>();
    for (int len = 2; len <= n; len <<= 1) {
      stages.add(decodeStage(n, len));
    }
    // Groups mirror CoeffsToSlots' (smaller ones first), so that with as many levels both use the
    // same diagonal offsets, hence the same rotations and Galois keys.
    return merge(stages, levels, scalar, logN, true);
  }

  private static int check(int n, int levels) {
    if (n < 2 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("slot count must be a power of two >= 2, got " + n);
    }
    int logN = Integer.numberOfTrailingZeros(n);
    if (levels < 1 || levels > logN) {
      throw new IllegalArgumentException("levels must be in [1, " + logN + "] for " + n + " slots, got " + levels);
    }
    return logN;
  }

  /**
   * Consecutive stages merged into {@code levels} groups (sizes differing by at most one, the
   * larger ones first unless {@code smallFirst}), each group multiplied out, the scalar spread as
   * {@code scalar^(1/levels)}.
   */
  private static List<SlotMatrix> merge(List<SlotMatrix> stages, int levels, double scalar, int logN,
      boolean smallFirst) {
    double per = Math.signum(scalar) * Math.pow(Math.abs(scalar), 1.0 / levels);
    List<SlotMatrix> out = new ArrayList<>();
    int at = 0;
    for (int g = 0; g < levels; g++) {
      int rank = smallFirst ? levels - 1 - g : g;
      int size = logN / levels + (rank < logN % levels ? 1 : 0);
      SlotMatrix m = stages.get(at++);
      for (int s = 1; s < size; s++) {
        m = stages.get(at++).times(m);
      }
      out.add(m.scaled(g == 0 ? per : Math.abs(per)));
    }
    return out;
  }

  /** {@code x} permuted by bit reversal of the indices (n a power of two). */
  public static double[] bitReverse(double[] x) {
    int n = x.length;
    int bits = Integer.numberOfTrailingZeros(n);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits)] = x[i];
    }
    return out;
  }
}
