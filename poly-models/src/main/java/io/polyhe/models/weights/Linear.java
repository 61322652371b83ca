package io.polyhe.models.weights;

/**
 * An affine map {@code y = W x + b} with {@code W} stored row-major as PyTorch's {@code
 * nn.Linear} stores it ({@code [out, in]}).
 *
 * <p>Invariants: {@code weight.length == out * in}; {@code bias} is absent or has {@code out}
 * entries. Immutable (arrays are copied in and never exposed); thread-safe.
 */
public final class Linear {
  private final int out;
  private final int in;
  private final double[] weight;
  private final double[] bias;

  /**
   * @param bias may be {@code null} for a map without bias
   * @throws IllegalArgumentException if the sizes do not match
   */
  public Linear(int out, int in, double[] weight, double[] bias) {
    if (out <= 0 || in <= 0 || weight.length != (long) out * in) {
      throw new IllegalArgumentException(
          "weight of " + weight.length + " entries does not match [" + out + ", " + in + "]");
    }
    if (bias != null && bias.length != out) {
      throw new IllegalArgumentException("bias of " + bias.length + " entries, expected " + out);
    }
    this.out = out;
    this.in = in;
    this.weight = weight.clone();
    this.bias = bias == null ? null : bias.clone();
  }

  /** Output size. */
  public int out() {
    return out;
  }

  /** Input size. */
  public int in() {
    return in;
  }

  /** Row {@code r} of {@code W} (a copy). */
  public double[] row(int r) {
    double[] copy = new double[in];
    System.arraycopy(weight, r * in, copy, 0, in);
    return copy;
  }

  /** Bias entry {@code r} (0 without bias). */
  public double bias(int r) {
    return bias == null ? 0 : bias[r];
  }

  /**
   * {@code W x + b}.
   *
   * @throws IllegalArgumentException if {@code x.length != in}
   */
  public double[] apply(double[] x) {
    if (x.length != in) {
      throw new IllegalArgumentException("input of " + x.length + " entries, expected " + in);
    }
    double[] y = new double[out];
    for (int r = 0; r < out; r++) {
      double s = 0;
      int base = r * in;
      for (int c = 0; c < in; c++) {
        s += weight[base + c] * x[c];
      }
      y[r] = bias == null ? s : s + bias[r];
    }
    return y;
  }
}
