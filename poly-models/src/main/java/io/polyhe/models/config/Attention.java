package io.polyhe.models.config;

/** The attention normaliser of every layer. */
public sealed interface Attention permits Attention.Softmax, Attention.PowerSoftmax {

  /** Standard softmax with a {@code -inf} causal mask: the baseline. */
  record Softmax() implements Attention {}

  /**
   * Power-softmax with the length-agnostic mean normaliser of DESIGN.md section 4: {@code A_ij =
   * s_ij^p / ((i+1)(epsilon + mean_{j<=i} s_ij^p))}, multiplicative 0/1 causal mask.
   *
   * @param power even exponent {@code p >= 2}
   * @param epsilon positive constant that bounds the inverse
   */
  record PowerSoftmax(int power, double epsilon) implements Attention {
    /** @throws IllegalArgumentException if {@code power} is not even and >= 2 or epsilon <= 0 */
    public PowerSoftmax {
      if (power < 2 || power % 2 != 0 || power > 64) {
        throw new IllegalArgumentException("power must be even in [2, 64], got " + power);
      }
      if (!(epsilon > 0 && Double.isFinite(epsilon))) {
        throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
      }
    }
  }
}
