package io.polyhe.models.shapeonly;

import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.NewtonKind;
import io.polyhe.models.config.Approximations;

/**
 * How observed input ranges become approximations; the defaults are those of {@code
 * training/train.py}. Ranges of {@code 1/sqrt} are widened by {@code rangeFactor} on both ends
 * (multiplicatively); the power-softmax inverse range is {@code [epsilon, rangeFactor * max]}
 * since {@code epsilon + mean s^p >= epsilon} always; the activation range is widened about its
 * centre by {@code 1 + activationMargin}.
 *
 * @param rangeFactor multiplicative margin, {@code > 1}
 * @param activationMargin relative widening of the activation range, {@code >= 0}
 * @param maxGuessDegree largest degree of the Newton initial guesses; {@code 1/x} and {@code
 *     1/sqrt x} are fitted for the least encrypted depth ({@link
 *     ApproximationFitter#fitNewtonMinDepth}), {@code >= 1}
 * @param newtonTolerance target max relative error of {@code 1/x} and {@code 1/sqrt x}
 * @param activationTolerance target max absolute error of the activation
 */
public record CalibrationPolicy(
    double rangeFactor, double activationMargin, int maxGuessDegree, double newtonTolerance, double activationTolerance) {

  /** The policy the shipped models were made with. */
  public static final CalibrationPolicy DEFAULT = new CalibrationPolicy(2.0, 0.25, 255, 1e-5, 1e-3);

  /** @throws IllegalArgumentException if a parameter is out of range */
  public CalibrationPolicy {
    if (!(rangeFactor > 1) || !(activationMargin >= 0) || maxGuessDegree < 1
        || !(newtonTolerance > 0) || !(activationTolerance > 0)) {
      throw new IllegalArgumentException("invalid calibration policy " + this);
    }
  }

  /**
   * Fits all approximations to the observed {@code [min, max]} ranges.
   *
   * @throws IllegalArgumentException if a range is empty or not finite, or a fit fails
   */
  public Approximations fit(double[] invSqrt, double[] inverse, double[] activation, double epsilon) {
    for (double[] r : new double[][] {invSqrt, inverse, activation}) {
      if (!(Double.isFinite(r[0]) && Double.isFinite(r[1]) && r[0] <= r[1])) {
        throw new IllegalArgumentException("no finite observed range to calibrate on");
      }
    }
    double c = (activation[0] + activation[1]) / 2;
    double half = Math.max((activation[1] - activation[0]) / 2, 1e-3) * (1 + activationMargin);
    return new Approximations(
        ApproximationFitter.fitNewtonMinDepth(
            NewtonKind.INVERSE, epsilon, Math.max(inverse[1], epsilon) * rangeFactor, maxGuessDegree, newtonTolerance),
        ApproximationFitter.fitNewtonMinDepth(
            NewtonKind.INVERSE_SQRT, invSqrt[0] / rangeFactor, invSqrt[1] * rangeFactor, maxGuessDegree,
            newtonTolerance),
        ApproximationFitter.fitActivation(c - half, c + half, activationTolerance));
  }
}
