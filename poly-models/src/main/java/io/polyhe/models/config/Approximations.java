package io.polyhe.models.config;

import io.polyhe.models.approx.ChebyshevApproximation;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.approx.NewtonKind;

/**
 * Every approximation the poly-plain and encrypted passes apply. One range per function for the
 * whole model (all layers share it), calibrated on training data with a margin.
 *
 * @param attentionInverse {@code 1/(epsilon + mean s^p)} of power-softmax, on {@code [epsilon, R]}
 * @param normInverseSqrt {@code 1/sqrt(v)} of every norm
 * @param activation the activation polynomial
 */
public record Approximations(
    NewtonApproximation attentionInverse,
    NewtonApproximation normInverseSqrt,
    ChebyshevApproximation activation) {

  /** @throws IllegalArgumentException if a Newton approximation is of the wrong kind */
  public Approximations {
    if (attentionInverse.kind() != NewtonKind.INVERSE) {
      throw new IllegalArgumentException("attention_inverse must approximate 1/x");
    }
    if (normInverseSqrt.kind() != NewtonKind.INVERSE_SQRT) {
      throw new IllegalArgumentException("norm_inverse_sqrt must approximate 1/sqrt(x)");
    }
  }
}
