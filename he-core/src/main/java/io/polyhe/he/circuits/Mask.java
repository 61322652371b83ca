package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;

/**
 * Slot-wise product with a plaintext vector — a 0/1 mask that keeps some slots and zeroes the
 * rest, or any per-slot factor (a mask may carry a constant such as {@code 1/√d_h} for free). The
 * mask is encoded at {@code target·q_l/scale(input)}, so the output lands exactly on the target
 * scale. Depth 1. Immutable apart from the encoding cache; thread-safe.
 */
public final class Mask implements UnaryCircuit {
  private final CkksParameters params;
  private final PlainVector values;
  private final double targetScale;

  /**
   * @param values per-slot factors (at most N/2; later slots are zero)
   * @throws IllegalArgumentException if there are more values than slots or a value is not finite
   */
  public Mask(CkksParameters params, double[] values) {
    this(params, new PlainVector(values), params.defaultScale());
  }

  private Mask(CkksParameters params, PlainVector values, double targetScale) {
    if (values.length() > params.slots()) {
      throw new IllegalArgumentException(values.length() + " mask values do not fit in " + params.slots() + " slots");
    }
    if (!(targetScale >= 1) || Double.isInfinite(targetScale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + targetScale);
    }
    this.params = params;
    this.values = values;
    this.targetScale = targetScale;
  }

  /** The same mask with outputs at {@code scale}. */
  public Mask withTargetScale(double scale) {
    return new Mask(params, values, scale);
  }

  public PlainVector values() {
    return values;
  }

  @Override
  public int depth() {
    return 1;
  }

  @Override
  public int[] galoisElements() {
    return new int[0];
  }

  @Override
  public boolean needsRelinearizationKey() {
    return false;
  }

  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    Levels.checkParameters(params, ar, "mask");
    int level = ar.level(input);
    Levels.require("mask", level, 1);
    C v = ar.size(input) == 3 ? ar.relinearize(input) : input;
    C prod = ar.mulPlain(v, values, targetScale * ar.q(level) / ar.scale(v));
    return ar.reinterpretScale(ar.rescale(prod), targetScale);
  }

  /** The plain reference. */
  public double[] applyPlain(double[] v) {
    double[] out = new double[params.slots()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (i < v.length ? v[i] : 0) * values.value(i);
    }
    return out;
  }
}
