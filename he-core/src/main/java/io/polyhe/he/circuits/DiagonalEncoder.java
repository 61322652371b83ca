package io.polyhe.he.circuits;

import java.util.Map;
import java.util.TreeMap;

/**
 * Generalised diagonals of a {@link BlockMatrix} over the slot vector, the form the diagonal
 * method multiplies by: {@code M·v = Σ_k diag_k ⊙ rot(v, k)} with {@code diag_k[i] = M[i][i+k]}
 * and {@code rot} the left rotation.
 *
 * <p>Without an input period, {@code k} is the signed offset {@code column - row} taken in {@code
 * (-slots/2, slots/2]}, so slots beyond the input must hold zeros. With an input period {@code P}
 * (the input repeats every {@code P} slots over all slots, e.g. after {@link RotateAndSum#replicate})
 * offsets are taken modulo {@code P}, which folds a square {@code n × n} matrix into {@code n}
 * diagonals instead of {@code 2n - 1}. Stateless and thread-safe.
 */
public final class DiagonalEncoder {
  private DiagonalEncoder() {}

  /**
   * Non-zero diagonals by offset.
   *
   * @param slots number of slots {@code N/2}
   * @param inputPeriod {@code 0} for none, else a divisor of {@code slots} at least the input's
   *     extent
   * @throws IllegalArgumentException if the matrix does not fit in the slots or the period is
   *     invalid
   */
  public static Map<Integer, double[]> diagonals(BlockMatrix m, int slots, int inputPeriod) {
    if (m.inputSlots() > slots || m.outputSlots() > slots) {
      throw new IllegalArgumentException("matrix needs " + Math.max(m.inputSlots(), m.outputSlots())
          + " slots, only " + slots + " available");
    }
    if (inputPeriod != 0 && (inputPeriod < m.inputSlots() || slots % inputPeriod != 0)) {
      throw new IllegalArgumentException("input period " + inputPeriod
          + " must divide the slots (" + slots + ") and cover the input (" + m.inputSlots() + " slots)");
    }
    // Offsets lie in (-slots/2, slots/2] (or [0, period)): an array indexed by offset instead of a
    // map lookup per weight (a 512 × 512 layer repeated over 16 rows is millions of weights).
    int base = inputPeriod != 0 ? 0 : slots / 2 - 1;
    double[][] byOffset = new double[inputPeriod != 0 ? inputPeriod : slots][];
    for (int t = 0; t < m.blocks(); t++) {
      for (int i = 0; i < m.outputDimension(); i++) {
        int row = t * m.outStride() + i;
        for (int j = 0; j < m.inputDimension(); j++) {
          double w = m.weight(t, i, j);
          if (w == 0) {
            continue;
          }
          int col = t * m.inStride() + j;
          int k = offset(col - row, slots, inputPeriod) + base;
          if (byOffset[k] == null) {
            byOffset[k] = new double[slots];
          }
          byOffset[k][row] = w;
        }
      }
    }
    Map<Integer, double[]> diags = new TreeMap<>();
    for (int k = 0; k < byOffset.length; k++) {
      if (byOffset[k] != null) {
        diags.put(k - base, byOffset[k]);
      }
    }
    return diags;
  }

  /** The offset of {@code col - row} for the diagonal method (see the class documentation). */
  static int offset(int diff, int slots, int inputPeriod) {
    if (inputPeriod != 0) {
      return Math.floorMod(diff, inputPeriod);
    }
    int k = Math.floorMod(diff, slots);
    return k > slots / 2 ? k - slots : k;
  }

  /** {@code rot(v, k)}: left rotation, {@code out[i] = v[(i + k) mod n]}. */
  public static double[] rotate(double[] v, int k) {
    int n = v.length;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = v[Math.floorMod(i + k, n)];
    }
    return out;
  }
}
