package io.polyhe.models.forward;

/**
 * Exact numerics that also record the smallest and largest input of each function, for
 * calibrating approximation ranges. Mutable; confined to one thread (use one per worker and
 * {@link #merge}).
 */
public final class RangeRecorder implements Numerics {
  private final Numerics.Exact exact;
  private final double[] invSqrt = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
  private final double[] inverse = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
  private final double[] activation = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

  /** A recorder whose exact activation is tanh-form GELU (polyhe's task models). */
  public RangeRecorder() {
    this(new Numerics.Exact());
  }

  /** A recorder computing {@code exact}'s functions. */
  public RangeRecorder(Numerics.Exact exact) {
    this.exact = exact;
  }

  /** The exact functions this recorder computes. */
  public Numerics.Exact exact() {
    return exact;
  }

  private static void see(double[] r, double x) {
    r[0] = Math.min(r[0], x);
    r[1] = Math.max(r[1], x);
  }

  @Override
  public double inverseSqrt(double v) {
    see(invSqrt, v);
    return exact.inverseSqrt(v);
  }

  @Override
  public double inverse(double x) {
    see(inverse, x);
    return exact.inverse(x);
  }

  @Override
  public double activation(double x) {
    see(activation, x);
    return exact.activation(x);
  }

  /** Folds {@code other}'s ranges into this one. */
  public void merge(RangeRecorder other) {
    see(invSqrt, other.invSqrt[0]);
    see(invSqrt, other.invSqrt[1]);
    see(inverse, other.inverse[0]);
    see(inverse, other.inverse[1]);
    see(activation, other.activation[0]);
    see(activation, other.activation[1]);
  }

  /** {@code [min, max]} seen by {@code 1/sqrt} (infinite ends if never called). */
  public double[] inverseSqrtRange() {
    return invSqrt.clone();
  }

  /** {@code [min, max]} seen by {@code 1/x}. */
  public double[] inverseRange() {
    return inverse.clone();
  }

  /** {@code [min, max]} seen by the activation. */
  public double[] activationRange() {
    return activation.clone();
  }
}
