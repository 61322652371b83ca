package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.BlockMatrix;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.config.ModelConfig;

/**
 * What every block of one compiled model reads: the parameters, the model's shape, the slot layout
 * (row stride {@code S}, {@code R} rows per ciphertext, {@code P = S/d} blocks of {@code d} columns
 * per row), the compiled approximations, the levels the pass uses (fresh values and refreshes land
 * at {@code topLevel}; the residual stream lives at {@code streamScale}), whether linear layers
 * keep their encodings, and the score masks every attention block shares. Immutable; thread-safe.
 */
record BlockContext(CkksParameters params, ModelConfig config, SlotLayout layout,
    CompiledApproximations approximations, int topLevel, double streamScale, boolean retainEncodings,
    ScoreMasks scoreMasks) {

  /** Hidden size {@code d}: the residual stream's columns in each row. */
  int d() {
    return config.hiddenSize();
  }

  /** Row stride {@code S}. */
  int stride() {
    return layout.rowStride();
  }

  /** {@code P = S/d}: blocks of {@code d} columns side by side in a row. */
  int pack() {
    return stride() / d();
  }

  int headDim() {
    return config.headDim();
  }

  double defaultScale() {
    return params.defaultScale();
  }

  /**
   * {@code I_R ⊗ w} over the {@code R} rows of a ciphertext (outputs at the default scale),
   * keeping its encodings only if {@link #retainEncodings}.
   */
  LinearTransform linear(double[][] w) {
    return kept(blockDiagonal(w));
  }

  /** As {@link #linear}, with outputs exactly at {@code scale}. */
  LinearTransform linearTo(double[][] w, double scale) {
    return kept(blockDiagonal(w).withTargetScale(scale));
  }

  /**
   * {@code diag(w[0], …, w[R-1])}, row t of a ciphertext applying {@code w[t]} (outputs at the
   * default scale), keeping its encodings only if {@link #retainEncodings}: the same diagonals,
   * rotations and depth as {@link #linear} of one block, with values that differ per row.
   */
  LinearTransform linearPerRow(double[][][] w) {
    return kept(LinearTransform.of(params, BlockMatrix.perBlock(w, stride()), null));
  }

  private LinearTransform blockDiagonal(double[][] w) {
    return LinearTransform.of(params, BlockMatrix.blockDiagonal(w, layout.rowsPerCiphertext(), stride()), null);
  }

  private LinearTransform kept(LinearTransform t) {
    return retainEncodings ? t : t.withTransientEncodings();
  }
}
