package io.polyhe.models.approx;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * A polynomial {@code p(x) = sum_k c_k T_k(t)}, {@code t = (2x - a - b) / (b - a)}, on the
 * interval {@code [a, b]}.
 *
 * <p>Invariants: {@code a < b}, both finite; at least one coefficient, all finite. Immutable.
 * Outside {@code [a, b]} the polynomial is still evaluated (an encrypted pass cannot clamp), so
 * callers must keep inputs inside the calibrated interval.
 *
 * @param a lower end of the interval
 * @param b upper end of the interval
 * @param coefficients {@code c_0 .. c_n} in the Chebyshev basis
 */
public record ChebyshevSeries(double a, double b, double[] coefficients) {

  /** @throws IllegalArgumentException if the invariants do not hold */
  public ChebyshevSeries {
    if (!(Double.isFinite(a) && Double.isFinite(b) && a < b)) {
      throw new IllegalArgumentException("interval [" + a + ", " + b + "] must be finite with a < b");
    }
    if (coefficients.length == 0) {
      throw new IllegalArgumentException("a Chebyshev series needs at least one coefficient");
    }
    coefficients = coefficients.clone();
    for (double c : coefficients) {
      if (!Double.isFinite(c)) {
        throw new IllegalArgumentException("non-finite Chebyshev coefficient " + c);
      }
    }
  }

  /**
   * Interpolates {@code f} at the {@code degree + 1} Chebyshev nodes of the first kind on
   * {@code [a, b]}.
   *
   * @throws IllegalArgumentException if {@code degree < 0} or the interval is invalid
   */
  public static ChebyshevSeries interpolate(DoubleUnaryOperator f, double a, double b, int degree) {
    if (degree < 0) {
      throw new IllegalArgumentException("degree must be >= 0, got " + degree);
    }
    int n = degree + 1;
    double[] theta = new double[n];
    double[] fx = new double[n];
    for (int j = 0; j < n; j++) {
      theta[j] = Math.PI * (j + 0.5) / n;
      fx[j] = f.applyAsDouble(0.5 * (b - a) * Math.cos(theta[j]) + 0.5 * (a + b));
    }
    double[] c = new double[n];
    for (int k = 0; k < n; k++) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        s += fx[j] * Math.cos(k * theta[j]);
      }
      c[k] = 2.0 / n * s;
    }
    c[0] *= 0.5;
    return new ChebyshevSeries(a, b, c);
  }

  /** Polynomial degree. */
  public int degree() {
    return coefficients.length - 1;
  }

  /**
   * Multiplicative depth of evaluating this series on a ciphertext: {@code ceil(log2(degree +
   * 1))} levels (0 for a constant), the depth of a degree-{@code d} Chebyshev evaluation by
   * baby-step/giant-step or a power tree. Degrees {@code 2^k - 1} are the largest of each depth.
   */
  public int encryptedDepth() {
    return depthOfDegree(degree());
  }

  /** {@code ceil(log2(degree + 1))}, the depth of a degree-{@code degree} polynomial. */
  public static int depthOfDegree(int degree) {
    if (degree < 0) {
      throw new IllegalArgumentException("degree must be >= 0, got " + degree);
    }
    return 32 - Integer.numberOfLeadingZeros(degree);
  }

  @Override
  public double[] coefficients() {
    return coefficients.clone();
  }

  /** Evaluates at {@code x} by Clenshaw's recurrence (the order training/approx.py uses). */
  public double evaluate(double x) {
    double t = (2.0 * x - (a + b)) / (b - a);
    double b1 = 0;
    double b2 = 0;
    for (int k = coefficients.length - 1; k >= 1; k--) {
      double next = coefficients[k] + 2.0 * t * b1 - b2;
      b2 = b1;
      b1 = next;
    }
    return coefficients[0] + t * b1 - b2;
  }

  /** This series with every coefficient multiplied by {@code s}. */
  public ChebyshevSeries scaled(double s) {
    double[] c = coefficients.clone();
    for (int i = 0; i < c.length; i++) {
      c[i] *= s;
    }
    return new ChebyshevSeries(a, b, c);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChebyshevSeries s
        && Double.compare(a, s.a) == 0
        && Double.compare(b, s.b) == 0
        && Arrays.equals(coefficients, s.coefficients);
  }

  @Override
  public int hashCode() {
    return Double.hashCode(a) * 31 * 31 + Double.hashCode(b) * 31 + Arrays.hashCode(coefficients);
  }

  @Override
  public String toString() {
    return "ChebyshevSeries[degree " + degree() + " on [" + a + ", " + b + "]]";
  }
}
