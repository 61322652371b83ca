package io.polyhe.he.circuits;

/**
 * The row-major layout of an encrypted matrix: row {@code t < rows} occupies slots {@code
 * [t·rowStride, t·rowStride + width)}, split into {@code width/segment} segments of {@code
 * segment} slots (attention heads side by side: segment = head dimension). Immutable.
 *
 * @param rows number of rows T
 * @param rowStride slots between rows, at least {@code width}
 * @param width used slots per row (d)
 * @param segment slots per segment (d_h), dividing {@code width}
 */
public record MatrixLayout(int rows, int rowStride, int width, int segment) {
  public MatrixLayout {
    if (rows < 1 || width < 1 || segment < 1) {
      throw new IllegalArgumentException("rows, width and segment must be positive: " + rows + ", " + width + ", " + segment);
    }
    if (rowStride < width) {
      throw new IllegalArgumentException("row stride " + rowStride + " below the width " + width);
    }
    if (width % segment != 0) {
      throw new IllegalArgumentException("segment " + segment + " does not divide the width " + width);
    }
  }

  /** T rows of d slots packed densely, one segment per row. */
  public static MatrixLayout dense(int rows, int width) {
    return new MatrixLayout(rows, width, width, width);
  }

  /** T rows of d = heads·headDim slots packed densely, heads side by side. */
  public static MatrixLayout heads(int rows, int heads, int headDim) {
    return new MatrixLayout(rows, heads * headDim, heads * headDim, headDim);
  }

  public int segments() {
    return width / segment;
  }

  /** Slots the layout spans: {@code (rows-1)·rowStride + width}. */
  public int extent() {
    return (rows - 1) * rowStride + width;
  }

  /** Slot of row {@code t}, column {@code c}. */
  public int slot(int t, int c) {
    return t * rowStride + c;
  }

  /** Throws unless the layout fits in {@code slots} slots. */
  void checkFits(int slots) {
    if (extent() > slots) {
      throw new IllegalArgumentException("layout " + this + " spans " + extent() + " slots, only " + slots + " available");
    }
  }
}
