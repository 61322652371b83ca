package io.polyhe.models.approx;

/**
 * {@code 1/x} or {@code 1/sqrt(x)} on a calibrated range: a Chebyshev initial guess followed by
 * a fixed number of Newton iterations — exactly the circuit the encrypted pass evaluates.
 *
 * <p>Invariants: {@code 0 < lo < hi}; the guess is defined on {@code [lo, hi]}; iterations
 * {@code >= 0}; the recorded error is finite and non-negative. Immutable.
 *
 * @param kind which function
 * @param lo lower end of the calibrated input range
 * @param hi upper end of the calibrated input range
 * @param guess the initial-guess polynomial on {@code [lo, hi]}
 * @param iterations number of Newton iterations
 * @param maxRelError max relative error over {@code [lo, hi]} recorded when fitted
 */
public record NewtonApproximation(
    NewtonKind kind, double lo, double hi, ChebyshevSeries guess, int iterations, double maxRelError) {

  /** @throws IllegalArgumentException if the invariants do not hold */
  public NewtonApproximation {
    if (!(lo > 0 && lo < hi && Double.isFinite(hi))) {
      throw new IllegalArgumentException(kind + ": range [" + lo + ", " + hi + "] needs 0 < lo < hi");
    }
    if (guess.a() != lo || guess.b() != hi) {
      throw new IllegalArgumentException(
          kind + ": guess interval [" + guess.a() + ", " + guess.b() + "] differs from the range ["
              + lo + ", " + hi + "]");
    }
    if (iterations < 0 || iterations > 100) {
      throw new IllegalArgumentException(kind + ": iterations must be in [0, 100], got " + iterations);
    }
    if (!(maxRelError >= 0 && Double.isFinite(maxRelError))) {
      throw new IllegalArgumentException(kind + ": max relative error must be finite, got " + maxRelError);
    }
  }

  /** Levels one Newton step of either kind costs on a ciphertext ({@code 2y - (xy)y}, {@code 1.5y - 0.5(xy)(yy)}). */
  public static final int NEWTON_STEP_DEPTH = 2;

  /**
   * Multiplicative depth of this circuit on a ciphertext: the guess's {@link
   * ChebyshevSeries#encryptedDepth()} plus {@value #NEWTON_STEP_DEPTH} per Newton step.
   */
  public int encryptedDepth() {
    return guess.encryptedDepth() + NEWTON_STEP_DEPTH * iterations;
  }

  /** The approximation at {@code x}: guess, then Newton. */
  public double evaluate(double x) {
    double y = guess.evaluate(x);
    for (int i = 0; i < iterations; i++) {
      y = kind.step(y, x);
    }
    return y;
  }
}
