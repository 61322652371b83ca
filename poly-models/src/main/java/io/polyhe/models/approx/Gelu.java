package io.polyhe.models.approx;

/**
 * The exact activation of the shipped models: GELU in its tanh form (GPT-2's {@code gelu_new},
 * PyTorch's {@code gelu(approximate="tanh")}). It is the reference the Chebyshev series
 * approximates. Stateless.
 */
public final class Gelu {
  private static final double K = Math.sqrt(2.0 / Math.PI);

  private Gelu() {}

  /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  public static double tanhForm(double x) {
    return 0.5 * x * (1.0 + Math.tanh(K * (x + 0.044715 * x * x * x)));
  }
}
