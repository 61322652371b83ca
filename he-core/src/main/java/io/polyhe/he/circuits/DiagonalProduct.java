package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.GaloisElements;
import java.util.List;

/**
 * {@code A·V} per segment for an encrypted square matrix {@code A} (T × T per head) given by its
 * diagonals — as {@link DiagonalScores} produces them: diagonal {@code k} of head {@code h} at slot
 * {@code t·D + h·L}, zeros elsewhere — and an encrypted row-major {@code V} in the same {@link
 * MatrixLayout}: {@code (A_h V_h)[t][c] = Σ_k A_h[t][t+k]·V[t+k][hL+c]}. Each diagonal is spread
 * across its segment ({@link RotateAndSum#broadcast}), multiplied by {@code rot(V, k·D)} (hoisted
 * rotations), and the products are summed as 3-part ciphertexts before one relinearisation and one
 * rescale (rotate-multiply-sum).
 *
 * <p>Depth 1 from the lower of the two inputs' levels. Scale: when V sits above the diagonals'
 * level, V is first brought to that level at the scale that lands the output exactly on the
 * target (default scale) — this costs V a level it had to spare; when both sit at the same level
 * the output scale is {@code scale(A)·scale(V)/q_l}. Diagonals must share level and scale.
 * Immutable; thread-safe.
 */
public final class DiagonalProduct implements Circuit {
  private final CkksParameters params;
  private final MatrixLayout layout;
  private final int[] offsets;
  private final int[] vSteps;
  private final RotateAndSum spread;
  private final double targetScale;
  private final int[] galois;

  /**
   * @param offsets the diagonals' offsets, in the order the diagonals will be passed, in {@code
   *     (-T, T)}
   * @throws IllegalArgumentException if an offset is out of range or the layout does not fit
   */
  public DiagonalProduct(CkksParameters params, MatrixLayout layout, int[] offsets) {
    layout.checkFits(params.slots());
    if (offsets.length == 0) {
      throw new IllegalArgumentException("no diagonal offsets given");
    }
    this.params = params;
    this.layout = layout;
    this.offsets = offsets.clone();
    this.vSteps = new int[offsets.length];
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] <= -layout.rows() || offsets[i] >= layout.rows()) {
        throw new IllegalArgumentException("offset " + offsets[i] + " outside (-" + layout.rows() + ", " + layout.rows() + ")");
      }
      vSteps[i] = offsets[i] * layout.rowStride();
    }
    this.spread = RotateAndSum.broadcast(params, layout.segment());
    this.targetScale = params.defaultScale();
    this.galois = Levels.sortedDistinct(java.util.stream.IntStream.concat(
        java.util.Arrays.stream(GaloisElements.forRotations(vSteps, params.rlwe())),
        java.util.Arrays.stream(spread.galoisElements())));
  }

  @Override
  public int depth() {
    return 1;
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
   * {@code A·V} in V's layout.
   *
   * @throws IllegalArgumentException if the number of diagonals differs from the offsets, the
   *     diagonals differ in level or scale, or the inputs are below level 1
   */
  public <C> C apply(Arithmetic<C> ar, List<C> diagonals, C v) {
    Levels.checkParameters(params, ar, "diagonal product");
    if (diagonals.size() != offsets.length) {
      throw new IllegalArgumentException(diagonals.size() + " diagonals for " + offsets.length + " offsets");
    }
    int dLevel = ar.level(diagonals.get(0));
    double dScale = ar.scale(diagonals.get(0));
    for (C d : diagonals) {
      if (ar.level(d) != dLevel) {
        throw new IllegalArgumentException("diagonals at different levels: " + dLevel + " vs " + ar.level(d));
      }
    }
    int level = Math.min(dLevel, ar.level(v));
    Levels.require("A·V by diagonals", level, 1);
    C vs = ar.size(v) == 3 ? ar.relinearize(v) : v;
    boolean exact = false;
    if (ar.level(vs) > level) {
      vs = Levels.toLevelAndScale(ar, vs, level, targetScale * ar.q(level) / dScale);
      exact = true;
    }
    C[] rotated = ar.rotateHoisted(vs, vSteps);
    Accumulator<C> acc = ar.accumulator();
    for (int i = 0; i < offsets.length; i++) {
      C d = ar.dropToLevel(diagonals.get(i), level);
      acc.add(ar.mul(spread.apply(ar, d), rotated[i]));
    }
    C out = ar.rescale(ar.relinearize(acc.result()));
    return exact ? ar.reinterpretScale(out, targetScale) : out;
  }

  /** The plain reference. */
  public double[] applyPlain(double[][] diagonals, double[] v) {
    int slots = params.slots();
    double[] out = new double[slots];
    double[] vf = java.util.Arrays.copyOf(v, slots);
    for (int i = 0; i < offsets.length; i++) {
      double[] d = spread.applyPlain(diagonals[i]);
      double[] vr = DiagonalEncoder.rotate(vf, vSteps[i]);
      for (int s = 0; s < slots; s++) {
        out[s] += d[s] * vr[s];
      }
    }
    return out;
  }
}
