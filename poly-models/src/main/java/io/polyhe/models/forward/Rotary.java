package io.polyhe.models.forward;

import io.polyhe.models.config.Architecture;

/**
 * GPT-NeoX's rotary position embedding in Hugging Face's rotate-half convention: in each head,
 * the first {@code r} dimensions rotate in pairs {@code (i, i + r/2)}, {@code i < r/2}, by the
 * angle {@code t * base^(-2i/r)} at position {@code t}:
 *
 * <pre>
 * x'_i       = x_i cos - x_{i+r/2} sin
 * x'_{i+r/2} = x_{i+r/2} cos + x_i sin
 * </pre>
 *
 * and the other {@code d_h - r} dimensions pass unchanged. The rotation of row {@code t} is a
 * fixed {@code d x d} orthogonal matrix {@code R_t}, so {@code R_t W_q} is still one linear map
 * per row (how the encrypted pass can fold it into the projections). Angles are computed in
 * double precision. Immutable; thread-safe.
 */
public final class Rotary {
  private final int heads;
  private final int headDim;
  private final int half;
  private final double[][] cos;
  private final double[][] sin;

  /**
   * Tables for {@code positions} positions.
   *
   * @throws IllegalArgumentException if the rotating dimensions are odd or exceed the head
   */
  public Rotary(Architecture.GptNeoX neox, int heads, int headDim, int positions) {
    int r = neox.rotaryDims(headDim);
    if (r % 2 != 0 || r > headDim) {
      throw new IllegalArgumentException("rotary dimensions " + r + " of a head of " + headDim);
    }
    this.heads = heads;
    this.headDim = headDim;
    this.half = r / 2;
    this.cos = new double[positions][half];
    this.sin = new double[positions][half];
    for (int i = 0; i < half; i++) {
      double inv = 1.0 / Math.pow(neox.rotaryBase(), (2.0 * i) / r);
      for (int t = 0; t < positions; t++) {
        double a = t * inv;
        cos[t][i] = Math.cos(a);
        sin[t][i] = Math.sin(a);
      }
    }
  }

  /** Rotating dimensions per head. */
  public int dims() {
    return 2 * half;
  }

  /** Rotates {@code x} (all heads side by side, {@code heads * headDim} entries) in place for position {@code t}. */
  public void apply(double[] x, int t) {
    double[] c = cos[t];
    double[] s = sin[t];
    for (int h = 0; h < heads; h++) {
      int off = h * headDim;
      for (int i = 0; i < half; i++) {
        double a = x[off + i];
        double b = x[off + i + half];
        x[off + i] = a * c[i] - b * s[i];
        x[off + i + half] = b * c[i] + a * s[i];
      }
    }
  }
}
