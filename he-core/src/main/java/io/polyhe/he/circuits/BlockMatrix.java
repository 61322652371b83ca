package io.polyhe.he.circuits;

/**
 * A plaintext matrix acting on slot vectors in the row-major block layout: {@code I_T ⊗ W}, the
 * same {@code d_out × d_in} matrix {@code W} applied to each of {@code T} rows, where input row
 * {@code t} occupies slots {@code [t·inStride, t·inStride + d_in)} and output row {@code t} slots
 * {@code [t·outStride, t·outStride + d_out)}. {@code T = 1} is an ordinary (possibly rectangular)
 * matrix times a vector in slots {@code [0, d_in)}. A {@linkplain #perBlock per-block} matrix
 * {@code diag(W_0, …, W_{T-1})} applies its own {@code W_t} (all of one shape) to row {@code t}:
 * rotary position embeddings make the query and key projections of row t {@code R_t·W}.
 *
 * <p>As a matrix over all slots, its entries are {@code M[t·outStride + i][t·inStride + j] =
 * W_t[i][j]}; every other entry is zero. Equal strides keep the number of diagonals at {@code d_in
 * + d_out - 1}, per-block weights or not (the offsets depend on the shape only, the values per row
 * on {@code W_t}); different strides spread them (a change of row stride is better done
 * separately).
 *
 * <p>Immutable (the weights are copied); thread-safe.
 */
public final class BlockMatrix {
  /** One weight matrix shared by every block, or one per block. */
  private final double[][][] w;
  private final int blocks;
  private final int inStride;
  private final int outStride;
  private final int rows;
  private final int cols;

  /**
   * @param w the {@code d_out × d_in} weights, rectangular, finite
   * @param blocks {@code T >= 1}
   * @param inStride slots between input rows, {@code >= d_in}
   * @param outStride slots between output rows, {@code >= d_out}
   * @throws IllegalArgumentException on ragged or empty weights, non-finite values, or strides
   *     below the row lengths
   */
  public BlockMatrix(double[][] w, int blocks, int inStride, int outStride) {
    this(new double[][][] {w}, blocks, inStride, outStride);
  }

  private BlockMatrix(double[][][] ws, int blocks, int inStride, int outStride) {
    if (blocks < 1) {
      throw new IllegalArgumentException("need at least one block, got " + blocks);
    }
    if (ws.length != 1 && ws.length != blocks) {
      throw new IllegalArgumentException(ws.length + " weight matrices for " + blocks + " blocks");
    }
    if (ws[0].length == 0 || ws[0][0].length == 0) {
      throw new IllegalArgumentException("empty weight matrix");
    }
    this.rows = ws[0].length;
    this.cols = ws[0][0].length;
    this.w = new double[ws.length][rows][];
    for (int t = 0; t < ws.length; t++) {
      String block = ws.length == 1 ? "" : "block " + t + ": ";
      if (ws[t].length != rows) {
        throw new IllegalArgumentException(block + "weight matrix has " + ws[t].length + " rows, block 0 has " + rows);
      }
      for (int i = 0; i < rows; i++) {
        if (ws[t][i].length != cols) {
          throw new IllegalArgumentException(
              block + "ragged weight matrix: row " + i + " has " + ws[t][i].length + " columns, row 0 has " + cols);
        }
        for (int j = 0; j < cols; j++) {
          if (!Double.isFinite(ws[t][i][j])) {
            throw new IllegalArgumentException(block + "weight [" + i + "][" + j + "] is not finite");
          }
        }
        this.w[t][i] = ws[t][i].clone();
      }
    }
    if (inStride < cols || outStride < rows) {
      throw new IllegalArgumentException("strides (in " + inStride + ", out " + outStride
          + ") must be at least the row lengths (d_in " + cols + ", d_out " + rows + ")");
    }
    this.blocks = blocks;
    this.inStride = inStride;
    this.outStride = outStride;
  }

  /** An ordinary matrix times a vector in slots {@code [0, d_in)}. */
  public static BlockMatrix single(double[][] w) {
    return new BlockMatrix(w, 1, w.length == 0 ? 1 : w[0].length, w.length);
  }

  /** {@code I_T ⊗ W} with both strides equal to {@code stride}. */
  public static BlockMatrix blockDiagonal(double[][] w, int blocks, int stride) {
    return new BlockMatrix(w, blocks, stride, stride);
  }

  /**
   * {@code diag(W_0, …, W_{T-1})} with {@code T = w.length} and both strides equal to {@code
   * stride}: block {@code t} applies {@code w[t]}.
   *
   * @throws IllegalArgumentException as the constructor, or if the blocks differ in shape
   */
  public static BlockMatrix perBlock(double[][][] w, int stride) {
    if (w.length == 0) {
      throw new IllegalArgumentException("need at least one block, got 0");
    }
    return new BlockMatrix(w, w.length, stride, stride);
  }

  /** Whether every block applies the same weights ({@code I_T ⊗ W}). */
  public boolean sharedWeights() {
    return w.length == 1;
  }

  /** {@code d_out}. */
  public int outputDimension() {
    return rows;
  }

  /** {@code d_in}. */
  public int inputDimension() {
    return cols;
  }

  public int blocks() {
    return blocks;
  }

  public int inStride() {
    return inStride;
  }

  public int outStride() {
    return outStride;
  }

  /**
   * Weight {@code W[i][j]} of a matrix whose blocks share their weights.
   *
   * @throws IllegalStateException for a {@linkplain #perBlock per-block} matrix (use {@link
   *     #weight(int, int, int)})
   */
  public double weight(int i, int j) {
    if (w.length != 1) {
      throw new IllegalStateException("a per-block matrix has no one weight [i][j]; name the block");
    }
    return w[0][i][j];
  }

  /** Weight {@code W_t[i][j]} of block {@code t}. */
  public double weight(int t, int i, int j) {
    return w[w.length == 1 ? 0 : t][i][j];
  }

  /** Slots the input occupies: {@code (T-1)·inStride + d_in}. */
  public int inputSlots() {
    return (blocks - 1) * inStride + cols;
  }

  /** Slots the output occupies: {@code (T-1)·outStride + d_out}. */
  public int outputSlots() {
    return (blocks - 1) * outStride + rows;
  }

  /** The plain product {@code M·v} over {@code slots} slots (reference for tests and planners). */
  public double[] multiply(double[] v, int slots) {
    double[] out = new double[slots];
    for (int t = 0; t < blocks; t++) {
      double[][] wt = w[w.length == 1 ? 0 : t];
      for (int i = 0; i < rows; i++) {
        double s = 0;
        for (int j = 0; j < cols; j++) {
          int c = t * inStride + j;
          s += wt[i][j] * (c < v.length ? v[c] : 0);
        }
        out[t * outStride + i] = s;
      }
    }
    return out;
  }
}
