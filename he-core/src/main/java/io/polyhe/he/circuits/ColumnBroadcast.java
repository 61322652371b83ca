package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;

/**
 * Replicates one column of a row-major matrix across each segment of its row: for every row
 * {@code t} and segment {@code h}, slots {@code [t·D + h·L, t·D + (h+1)·L)} receive the value at
 * {@code t·D + h·L + column}, times {@code factor}. Mask (1 level, carrying the factor), rotate the
 * column to the segment start, spread right with {@link RotateAndSum#broadcast}. Depth 1; the
 * output lands exactly on the target scale (default scale). Immutable; thread-safe.
 */
public final class ColumnBroadcast implements UnaryCircuit {
  private final CkksParameters params;
  private final MatrixLayout layout;
  private final int column;
  private final Mask mask;
  private final RotateAndSum spread;
  private final int[] galois;

  /**
   * @param column column within each segment, {@code 0 <= column < segment}
   * @param factor multiplies the broadcast values (free: carried by the mask)
   * @throws IllegalArgumentException if the column is outside the segment or the layout does not
   *     fit
   */
  public ColumnBroadcast(CkksParameters params, MatrixLayout layout, int column, double factor) {
    layout.checkFits(params.slots());
    if (column < 0 || column >= layout.segment()) {
      throw new IllegalArgumentException("column " + column + " outside the segment of " + layout.segment());
    }
    this.params = params;
    this.layout = layout;
    this.column = column;
    double[] m = new double[layout.extent()];
    for (int t = 0; t < layout.rows(); t++) {
      for (int h = 0; h < layout.segments(); h++) {
        m[layout.slot(t, h * layout.segment() + column)] = factor;
      }
    }
    this.mask = new Mask(params, m);
    this.spread = RotateAndSum.broadcast(params, layout.segment());
    int[] rot = column == 0 ? new int[0]
        : io.polyhe.he.rlwe.GaloisElements.forRotations(new int[] {column}, params.rlwe());
    this.galois = Levels.sortedDistinct(java.util.stream.IntStream.concat(
        java.util.Arrays.stream(rot), java.util.Arrays.stream(spread.galoisElements())));
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
    return false;
  }

  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    Levels.checkParameters(params, ar, "column broadcast");
    Levels.require("column broadcast", ar.level(input), 1);
    C masked = mask.apply(ar, input);
    return spread.apply(ar, ar.rotate(masked, column));
  }

  /** The plain reference. */
  public double[] applyPlain(double[] v) {
    return spread.applyPlain(DiagonalEncoder.rotate(mask.applyPlain(v), column));
  }
}
