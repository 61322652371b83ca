package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.GaloisElements;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums of slots at a fixed spacing: {@code out[i] = Σ_{j<count} in[i + j·stride]} (indices modulo
 * the slot count), with {@code O(log count)} rotations by doubling (any {@code count}, not only
 * powers of two). Depth 0.
 *
 * <ul>
 *   <li>Row sums of a row-major matrix ({@code stride 1, count d}): slot {@code t·d} of each row
 *       gets its sum (other slots hold partial sums; mask them if needed).
 *   <li>Column sums ({@code stride d, count T}): row 0 gets the column sums.
 *   <li>Spreading a value right ({@code stride -1}): a value alone at the first slot of a block,
 *       zeros after it, is copied across the block ({@link #broadcast}).
 *   <li>Replication ({@code stride -P, count slots/P}): a vector in {@code [0, P)} followed by
 *       zeros is repeated over all slots ({@link #replicate}), as periodic-input linear
 *       transforms expect.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class RotateAndSum implements UnaryCircuit {
  private final CkksParameters params;
  private final int count;
  private final int stride;
  private final int[] galois;

  /**
   * @throws IllegalArgumentException if {@code count < 1}, {@code stride == 0}, or the window
   *     {@code count·|stride|} exceeds the slot count
   */
  public RotateAndSum(CkksParameters params, int count, int stride) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    if (stride == 0) {
      throw new IllegalArgumentException("stride must be non-zero");
    }
    if ((long) count * Math.abs(stride) > params.slots()) {
      throw new IllegalArgumentException("window of " + count + " slots at stride " + stride
          + " exceeds the " + params.slots() + " slots");
    }
    this.params = params;
    this.count = count;
    this.stride = stride;
    this.galois = GaloisElements.forRotations(steps(), params.rlwe());
  }

  /** Sums of {@code length} consecutive slots (row sums land in each row's first slot). */
  public static RotateAndSum rowSums(CkksParameters params, int length) {
    return new RotateAndSum(params, length, 1);
  }

  /**
   * Copies the first slot of every block of {@code length} slots across the block; the other slots
   * of the block must hold zeros (mask first).
   */
  public static RotateAndSum broadcast(CkksParameters params, int length) {
    return new RotateAndSum(params, length, -1);
  }

  /**
   * Repeats slots {@code [0, period)} over all slots; slots from {@code period} on must hold zeros.
   *
   * @throws IllegalArgumentException unless {@code period} divides the slot count
   */
  public static RotateAndSum replicate(CkksParameters params, int period) {
    if (period < 1 || params.slots() % period != 0) {
      throw new IllegalArgumentException("period " + period + " must divide the " + params.slots() + " slots");
    }
    return new RotateAndSum(params, params.slots() / period, -period);
  }

  public int count() {
    return count;
  }

  public int stride() {
    return stride;
  }

  /** Rotation steps in the order applied. */
  private int[] steps() {
    List<Integer> steps = new ArrayList<>();
    int len = 1;
    for (int bit = 30 - Integer.numberOfLeadingZeros(count); bit >= 0; bit--) {
      steps.add(len * stride);
      len *= 2;
      if ((count >> bit & 1) != 0) {
        steps.add(stride);
        len += 1;
      }
    }
    return steps.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public int depth() {
    return 0;
  }

  @Override
  public int[] galoisElements() {
    return galois.clone();
  }

  @Override
  public boolean needsRelinearizationKey() {
    return false;
  }

  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    Levels.checkParameters(params, ar, "rotate-and-sum");
    C v = ar.size(input) == 3 ? ar.relinearize(input) : input;
    C acc = v;
    int len = 1;
    // MSB first: doubling W_2L = W_L + rot(W_L, L·s); W_{L+1} = v + rot(W_L, s).
    for (int bit = 30 - Integer.numberOfLeadingZeros(count); bit >= 0; bit--) {
      acc = ar.add(acc, ar.rotate(acc, len * stride));
      len *= 2;
      if ((count >> bit & 1) != 0) {
        acc = ar.add(v, ar.rotate(acc, stride));
        len += 1;
      }
    }
    return acc;
  }

  /** The plain reference over all slots. */
  public double[] applyPlain(double[] v) {
    int n = params.slots();
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < count; j++) {
        int idx = Math.floorMod(i + j * stride, n);
        s += idx < v.length ? v[idx] : 0;
      }
      out[i] = s;
    }
    return out;
  }

  @Override
  public String toString() {
    return "RotateAndSum(count " + count + ", stride " + stride + ")";
  }
}
