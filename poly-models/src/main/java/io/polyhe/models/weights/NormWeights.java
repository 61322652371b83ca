package io.polyhe.models.weights;

/**
 * Per-channel scale and (LayerNorm only) shift of one normalisation.
 *
 * <p>Invariants: {@code bias} is {@code null} (RMSNorm) or as long as {@code weight}. Immutable.
 */
public final class NormWeights {
  private final double[] weight;
  private final double[] bias;

  /** @throws IllegalArgumentException if the lengths differ */
  public NormWeights(double[] weight, double[] bias) {
    if (bias != null && bias.length != weight.length) {
      throw new IllegalArgumentException("norm bias and weight lengths differ");
    }
    this.weight = weight.clone();
    this.bias = bias == null ? null : bias.clone();
  }

  /** Number of channels. */
  public int size() {
    return weight.length;
  }

  /** Scale of channel {@code i}. */
  public double weight(int i) {
    return weight[i];
  }

  /** Shift of channel {@code i} (0 for RMSNorm). */
  public double bias(int i) {
    return bias == null ? 0 : bias[i];
  }
}
