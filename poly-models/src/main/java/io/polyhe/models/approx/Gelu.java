package io.polyhe.models.approx;

import java.util.function.DoubleUnaryOperator;
import org.apache.commons.numbers.gamma.Erf;

/**
 * The exact activations the Chebyshev series approximate: GELU in its tanh form (GPT-2's {@code
 * gelu_new}, PyTorch's {@code gelu(approximate="tanh")}; the task models) and in its erf form
 * (PyTorch's default {@code gelu}, GPT-NeoX's {@code hidden_act "gelu"}). Stateless.
 */
public final class Gelu {
  private static final double K = Math.sqrt(2.0 / Math.PI);
  private static final double SQRT2 = Math.sqrt(2.0);

  private Gelu() {}

  /** {@code 0.5 x (1 + erf(x / sqrt 2))} (Commons Numbers' erf, within a few ulps). */
  public static double erfForm(double x) {
    return 0.5 * x * (1.0 + Erf.value(x / SQRT2));
  }

  /**
   * The activation named {@code kind} in a model configuration ({@code gelu_tanh} or {@code gelu}).
   *
   * @throws IllegalArgumentException for an unknown kind
   */
  public static DoubleUnaryOperator of(String kind) {
    return switch (kind) {
      case "gelu_tanh" -> Gelu::tanhForm;
      case "gelu" -> Gelu::erfForm;
      default -> throw new IllegalArgumentException("unknown activation '" + kind + "'");
    };
  }

  /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  public static double tanhForm(double x) {
    return 0.5 * x * (1.0 + Math.tanh(K * (x + 0.044715 * x * x * x)));
  }
}
