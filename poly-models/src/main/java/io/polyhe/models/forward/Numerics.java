package io.polyhe.models.forward;

import io.polyhe.models.approx.Gelu;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.ModelConfig;

/**
 * The three non-polynomial scalar functions of the model. Implementations are immutable except
 * {@link RangeRecorder}, which is confined to one thread.
 */
public sealed interface Numerics permits Numerics.Exact, Numerics.PolyPlain, RangeRecorder {

  /** {@code 1/sqrt(v)} of a norm's variance (plus eps). */
  double inverseSqrt(double v);

  /** {@code 1/x} of power-softmax's divisor {@code epsilon + mean s^p}. */
  double inverse(double x);

  /** The activation. */
  double activation(double x);

  /**
   * Exact functions.
   *
   * @param activationKind {@link ModelConfig#GELU_TANH} or {@link ModelConfig#GELU_ERF}
   */
  record Exact(String activationKind) implements Numerics {
    /** Tanh-form GELU, the activation of polyhe's task models. */
    public Exact() {
      this(ModelConfig.GELU_TANH);
    }

    /** @throws IllegalArgumentException for an unknown activation */
    public Exact {
      Gelu.of(activationKind);
    }

    @Override
    public double inverseSqrt(double v) {
      return 1.0 / Math.sqrt(v);
    }

    @Override
    public double inverse(double x) {
      return 1.0 / x;
    }

    @Override
    public double activation(double x) {
      return ModelConfig.GELU_ERF.equals(activationKind) ? Gelu.erfForm(x) : Gelu.tanhForm(x);
    }
  }

  /**
   * The configured approximations.
   *
   * @param approximations what to apply
   */
  record PolyPlain(Approximations approximations) implements Numerics {
    @Override
    public double inverseSqrt(double v) {
      return approximations.normInverseSqrt().evaluate(v);
    }

    @Override
    public double inverse(double x) {
      return approximations.attentionInverse().evaluate(x);
    }

    @Override
    public double activation(double x) {
      return approximations.activation().evaluate(x);
    }
  }
}
