package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.GaloisElements;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code S = factor·Q·Kᵀ} per segment (attention scores per head) for two encrypted row-major
 * matrices in the same {@link MatrixLayout}, by rotate-multiply-sum over diagonals: for each
 * offset {@code k}, {@code Q ⊙ rot(K, k·D)} summed over each segment gives
 * {@code S_h[t][t+k] = factor·Σ_c Q[t][hL+c]·K[t+k][hL+c]} at slot {@code t·D + h·L}; a mask keeps
 * exactly those slots of the rows with {@code 0 <= t+k < T} and carries the factor (e.g.
 * {@code 1/√d_h}). The rotations of K are hoisted.
 *
 * <p>Output: one ciphertext per offset, in the order given, holding diagonal {@code k} of every
 * head's score matrix at the segment starts and zeros elsewhere — the form {@link
 * DiagonalProduct} consumes. Causal attention uses offsets {@code 0, -1, ..., -(T-1)}; full
 * attention {@code -(T-1)..T-1}. Depth 2 (product, mask); outputs land exactly on the target scale.
 * Immutable apart from the mask encodings' cache; thread-safe.
 */
public final class DiagonalScores implements Circuit {
  private final CkksParameters params;
  private final MatrixLayout layout;
  private final int[] offsets;
  private final int[] kSteps;
  private final RotateAndSum segmentSum;
  private final List<Mask> masks;
  private final int[] galois;

  /**
   * @param offsets diagonal offsets {@code k = column - row} of the score matrix, in {@code (-T, T)}
   * @param factor multiplies every score (free: carried by the masks)
   * @throws IllegalArgumentException if an offset is out of range, no offset is given, or the
   *     layout does not fit
   */
  public DiagonalScores(CkksParameters params, MatrixLayout layout, int[] offsets, double factor) {
    layout.checkFits(params.slots());
    if (offsets.length == 0) {
      throw new IllegalArgumentException("no diagonal offsets given");
    }
    this.params = params;
    this.layout = layout;
    this.offsets = offsets.clone();
    this.kSteps = new int[offsets.length];
    this.masks = new ArrayList<>();
    int rows = layout.rows();
    for (int i = 0; i < offsets.length; i++) {
      int k = offsets[i];
      if (k <= -rows || k >= rows) {
        throw new IllegalArgumentException("offset " + k + " outside (-" + rows + ", " + rows + ")");
      }
      kSteps[i] = k * layout.rowStride();
      double[] m = new double[layout.extent()];
      for (int t = Math.max(0, -k); t < Math.min(rows, rows - k); t++) {
        for (int h = 0; h < layout.segments(); h++) {
          m[layout.slot(t, h * layout.segment())] = factor;
        }
      }
      masks.add(new Mask(params, m));
    }
    this.segmentSum = RotateAndSum.rowSums(params, layout.segment());
    this.galois = Levels.sortedDistinct(java.util.stream.IntStream.concat(
        java.util.Arrays.stream(GaloisElements.forRotations(kSteps, params.rlwe())),
        java.util.Arrays.stream(segmentSum.galoisElements())));
  }

  public int[] offsets() {
    return offsets.clone();
  }

  public MatrixLayout layout() {
    return layout;
  }

  @Override
  public int depth() {
    return 2;
  }

  @Override
  public int[] galoisElements() {
    return galois.clone();
  }

  @Override
  public boolean needsRelinearizationKey() {
    return true;
  }

  /**
   * The score diagonals, one per offset, each at {@code level - 2} and the default scale.
   *
   * @throws IllegalArgumentException if Q and K sit at different levels or below level 2
   */
  public <C> List<C> apply(Arithmetic<C> ar, C q, C k) {
    Levels.checkParameters(params, ar, "diagonal scores");
    int level = Math.min(ar.level(q), ar.level(k));
    Levels.require("QKᵀ by diagonals", level, 2);
    C qs = ar.dropToLevel(ar.size(q) == 3 ? ar.relinearize(q) : q, level);
    C ks = ar.dropToLevel(ar.size(k) == 3 ? ar.relinearize(k) : k, level);
    C[] rotated = ar.rotateHoisted(ks, kSteps);
    List<C> out = new ArrayList<>();
    for (int i = 0; i < offsets.length; i++) {
      C prod = ar.rescale(ar.mulRelin(qs, rotated[i]));
      out.add(masks.get(i).apply(ar, segmentSum.apply(ar, prod)));
    }
    return out;
  }

  /** The plain reference: {@code out[i][slot]} for offset {@code offsets[i]}. */
  public double[][] applyPlain(double[] q, double[] k) {
    int slots = params.slots();
    double[][] out = new double[offsets.length][];
    for (int i = 0; i < offsets.length; i++) {
      double[] prod = new double[slots];
      double[] kr = DiagonalEncoder.rotate(java.util.Arrays.copyOf(k, slots), kSteps[i]);
      for (int s = 0; s < slots; s++) {
        prod[s] = (s < q.length ? q[s] : 0) * kr[s];
      }
      out[i] = masks.get(i).applyPlain(segmentSum.applyPlain(prod));
    }
    return out;
  }
}
