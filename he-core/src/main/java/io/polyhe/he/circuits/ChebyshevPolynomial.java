package io.polyhe.he.circuits;

import java.util.Arrays;

/**
 * A real polynomial in the Chebyshev basis of an interval: {@code p(x) = Σ c_k T_k(t)} with {@code
 * t = (2x - a - b)/(b - a)}, which maps {@code [a, b]} onto {@code [-1, 1]}. Immutable.
 *
 * <p>Invariants: {@code a < b}, both finite; at least one coefficient; coefficients finite;
 * trailing zero coefficients are removed (the degree is that of the last non-zero coefficient, or
 * 0 for the zero polynomial).
 */
public final class ChebyshevPolynomial {
  private final double a;
  private final double b;
  private final double[] coefficients;

  /**
   * @param a left end of the interval
   * @param b right end of the interval
   * @param coefficients {@code c_0, c_1, ...}
   * @throws IllegalArgumentException on an empty or non-finite input or {@code a >= b}
   */
  public ChebyshevPolynomial(double a, double b, double[] coefficients) {
    if (!Double.isFinite(a) || !Double.isFinite(b) || !(a < b)) {
      throw new IllegalArgumentException("need a finite interval a < b, got [" + a + ", " + b + "]");
    }
    if (coefficients.length == 0) {
      throw new IllegalArgumentException("a polynomial needs at least one coefficient");
    }
    int last = 0;
    for (int i = 0; i < coefficients.length; i++) {
      if (!Double.isFinite(coefficients[i])) {
        throw new IllegalArgumentException("coefficient " + i + " is not finite");
      }
      if (coefficients[i] != 0) {
        last = i;
      }
    }
    this.a = a;
    this.b = b;
    this.coefficients = Arrays.copyOf(coefficients, last + 1);
  }

  public double a() {
    return a;
  }

  public double b() {
    return b;
  }

  public int degree() {
    return coefficients.length - 1;
  }

  /** Coefficient of {@code T_k} (0 beyond the degree). */
  public double coefficient(int k) {
    return k < coefficients.length ? coefficients[k] : 0;
  }

  /** A copy of the coefficients. */
  public double[] coefficients() {
    return coefficients.clone();
  }

  /** True if only odd-index coefficients are non-zero (and the polynomial is not zero). */
  public boolean isOdd() {
    return parityMask() == 2;
  }

  /** True if only even-index coefficients are non-zero. */
  public boolean isEven() {
    return parityMask() == 1;
  }

  /** Bit 0: some even coefficient is non-zero; bit 1: some odd one is. */
  int parityMask() {
    int mask = 0;
    for (int i = 0; i < coefficients.length; i++) {
      if (coefficients[i] != 0) {
        mask |= 1 << (i & 1);
      }
    }
    return mask;
  }

  /** {@code t = (2x - a - b)/(b - a)}. */
  public double toUnit(double x) {
    return (2 * x - a - b) / (b - a);
  }

  /** Value at {@code x} (Clenshaw's recurrence; any real x, not only inside the interval). */
  public double value(double x) {
    double t = toUnit(x);
    double b1 = 0;
    double b2 = 0;
    for (int k = coefficients.length - 1; k >= 1; k--) {
      double b0 = 2 * t * b1 - b2 + coefficients[k];
      b2 = b1;
      b1 = b0;
    }
    return t * b1 - b2 + coefficients[0];
  }

  /** Sum of the absolute values of the coefficients: a bound of |p| on the interval. */
  public double coefficientL1() {
    double s = 0;
    for (double c : coefficients) {
      s += Math.abs(c);
    }
    return s;
  }

  /** Same interval, coefficients multiplied by {@code k}. */
  public ChebyshevPolynomial times(double k) {
    double[] c = coefficients.clone();
    for (int i = 0; i < c.length; i++) {
      c[i] *= k;
    }
    return new ChebyshevPolynomial(a, b, c);
  }

  @Override
  public String toString() {
    return "ChebyshevPolynomial([" + a + ", " + b + "], degree " + degree() + ")";
  }
}
