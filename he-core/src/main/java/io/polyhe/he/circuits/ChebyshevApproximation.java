package io.polyhe.he.circuits;

import java.util.function.DoubleUnaryOperator;

/**
 * Chebyshev approximation of real functions on an interval: interpolation at Chebyshev nodes
 * (near-minimax in absolute error), a Lawson-iterated weighted fit for relative error, and the
 * measured maximum error of each fit.
 *
 * <p>Errors are measured on a grid of {@code max(2001, 16·(degree+1))} evenly spaced points
 * including both ends of the interval (relative errors on positive intervals also on a geometric
 * grid): the maximum is therefore estimated, not proven; for smooth functions the grid maximum is
 * within a few percent of the true one. Coefficients smaller than {@code 1e-15·max|c|} are set to zero so
 * that the parity of odd and even functions is exact (which {@link PolynomialEvaluator} exploits);
 * the reported error is that of the cleaned polynomial. Stateless and thread-safe.
 */
public final class ChebyshevApproximation {

  /**
   * A fitted polynomial and its measured maximum error.
   *
   * @param polynomial the fit
   * @param maxError max over the grid of {@code |p(x) - f(x)|}, or of {@code |p(x)/f(x) - 1|} for
   *     relative fits
   * @param relative whether {@code maxError} is relative
   */
  public record Fit(ChebyshevPolynomial polynomial, double maxError, boolean relative) {
    /** {@code -log2(maxError)}: bits of precision of the approximation. */
    public double bits() {
      return -Math.log(maxError) / Math.log(2);
    }
  }

  private static final double CLEAN = 1e-15;

  private ChebyshevApproximation() {}

  /**
   * Interpolates {@code f} at the {@code degree + 1} Chebyshev nodes of the first kind on {@code
   * [a, b]} and measures the max absolute error.
   *
   * @throws IllegalArgumentException if {@code degree < 0}, the interval is empty or not finite, or
   *     {@code f} is not finite at a node
   */
  public static Fit fit(DoubleUnaryOperator f, double a, double b, int degree) {
    ChebyshevPolynomial p = interpolate(f, a, b, degree);
    return new Fit(p, maxError(f, p), false);
  }

  /**
   * The interpolant of the lowest degree of the form {@code 2^k - 1} (the degrees that use a
   * polynomial evaluation's levels fully) whose max absolute error is at most {@code maxError}.
   *
   * @throws IllegalArgumentException if no degree up to {@code maxDegree} reaches it
   */
  public static Fit fitToAccuracy(DoubleUnaryOperator f, double a, double b, double maxError, int maxDegree) {
    Fit best = null;
    for (int d = 1; d <= maxDegree; d = 2 * d + 1) {
      best = fit(f, a, b, d);
      if (best.maxError() <= maxError) {
        return best;
      }
    }
    throw new IllegalArgumentException("no Chebyshev interpolant of degree <= " + maxDegree
        + " reaches error " + maxError + " on [" + a + ", " + b + "]"
        + (best == null ? "" : " (degree " + best.polynomial().degree() + ": " + best.maxError() + ")"));
  }

  /** Chebyshev coefficients of the interpolant at the first-kind nodes. */
  static ChebyshevPolynomial interpolate(DoubleUnaryOperator f, double a, double b, int degree) {
    if (degree < 0) {
      throw new IllegalArgumentException("degree must be >= 0, got " + degree);
    }
    if (!Double.isFinite(a) || !Double.isFinite(b) || !(a < b)) {
      throw new IllegalArgumentException("need a finite interval a < b, got [" + a + ", " + b + "]");
    }
    int n = degree + 1;
    // cos(π·m/(2n)) for m in [0, 4n): T_j(t_k) = cos(j·π(2k+1)/(2n)) is entry j(2k+1) mod 4n.
    double[] cos = new double[4 * n];
    for (int m = 0; m < 4 * n; m++) {
      cos[m] = Math.cos(Math.PI * m / (2.0 * n));
    }
    double[] fx = new double[n];
    for (int k = 0; k < n; k++) {
      double t = cos[2 * k + 1];
      double x = 0.5 * (a + b) + 0.5 * (b - a) * t;
      fx[k] = f.applyAsDouble(x);
      if (!Double.isFinite(fx[k])) {
        throw new IllegalArgumentException("function is not finite at node x = " + x);
      }
    }
    double[] c = new double[n];
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int k = 0; k < n; k++) {
        s += fx[k] * cos[(int) (((long) j * (2 * k + 1)) % (4L * n))];
      }
      c[j] = (j == 0 ? 1.0 : 2.0) * s / n;
    }
    return new ChebyshevPolynomial(a, b, clean(c));
  }

  /**
   * A near-minimax fit of {@code f} in relative error {@code |p/f - 1|}: weighted least squares on
   * a Chebyshev grid, re-weighted by Lawson's rule for a fixed number of rounds, starting from the
   * interpolant. Suited to functions without zeros on {@code [a, b]} (inverse, inverse square
   * root), where interpolation spends its accuracy where the function is large.
   *
   * @throws IllegalArgumentException if {@code f} is zero or not finite on the grid
   */
  public static Fit fitRelative(DoubleUnaryOperator f, double a, double b, int degree) {
    ChebyshevPolynomial start = interpolate(f, a, b, degree);
    int n = degree + 1;
    int m = Math.max(4 * n, 64);
    double[] t = new double[m];
    double[] fx = new double[m];
    for (int i = 0; i < m; i++) {
      t[i] = -Math.cos(Math.PI * i / (m - 1));
      double x = i == 0 ? a : i == m - 1 ? b : 0.5 * (a + b) + 0.5 * (b - a) * t[i];
      fx[i] = f.applyAsDouble(x);
      if (!Double.isFinite(fx[i]) || fx[i] == 0) {
        throw new IllegalArgumentException("relative fit needs f finite and non-zero; f(" + x + ") = " + fx[i]);
      }
    }
    // Rows of the weighted system: T_j(t_i)/f(x_i), right-hand side 1.
    double[][] rows = new double[m][n];
    for (int i = 0; i < m; i++) {
      double t0 = 1;
      double t1 = t[i];
      for (int j = 0; j < n; j++) {
        double tj = j == 0 ? 1 : j == 1 ? t[i] : 2 * t[i] * t1 - t0;
        if (j >= 2) {
          t0 = t1;
          t1 = tj;
        }
        rows[i][j] = tj / fx[i];
      }
    }
    double[] w = new double[m];
    java.util.Arrays.fill(w, 1.0 / m);
    ChebyshevPolynomial best = start;
    double bestErr = maxRelativeError(f, start);
    double[] c = start.coefficients();
    c = java.util.Arrays.copyOf(c, n);
    for (int round = 0; round < 40; round++) {
      double[] sol = weightedLeastSquares(rows, w, n);
      if (sol == null) {
        break;
      }
      ChebyshevPolynomial p = new ChebyshevPolynomial(a, b, clean(sol));
      double err = maxRelativeError(f, p);
      if (err < bestErr) {
        best = p;
        bestErr = err;
      }
      double total = 0;
      for (int i = 0; i < m; i++) {
        double r = 0;
        for (int j = 0; j < n; j++) {
          r += rows[i][j] * sol[j];
        }
        w[i] *= Math.abs(r - 1) + 1e-300;
        total += w[i];
      }
      for (int i = 0; i < m; i++) {
        w[i] /= total;
      }
    }
    return new Fit(best, bestErr, true);
  }

  /** Normal equations with Cholesky; null if numerically singular. */
  private static double[] weightedLeastSquares(double[][] rows, double[] w, int n) {
    double[][] g = new double[n][n];
    double[] rhs = new double[n];
    for (int i = 0; i < rows.length; i++) {
      double[] r = rows[i];
      double wi = w[i];
      for (int j = 0; j < n; j++) {
        double wr = wi * r[j];
        rhs[j] += wr;
        double[] gj = g[j];
        for (int k = 0; k <= j; k++) {
          gj[k] += wr * r[k];
        }
      }
    }
    double trace = 0;
    for (int j = 0; j < n; j++) {
      trace += g[j][j];
    }
    double ridge = 1e-15 * trace / n;
    for (int j = 0; j < n; j++) {
      g[j][j] += ridge;
      for (int k = 0; k < j; k++) {
        double s = g[j][k];
        for (int p = 0; p < k; p++) {
          s -= g[j][p] * g[k][p];
        }
        g[j][k] = s / g[k][k];
      }
      double s = g[j][j];
      for (int p = 0; p < j; p++) {
        s -= g[j][p] * g[j][p];
      }
      if (!(s > 0)) {
        return null;
      }
      g[j][j] = Math.sqrt(s);
    }
    double[] y = new double[n];
    for (int j = 0; j < n; j++) {
      double s = rhs[j];
      for (int p = 0; p < j; p++) {
        s -= g[j][p] * y[p];
      }
      y[j] = s / g[j][j];
    }
    for (int j = n - 1; j >= 0; j--) {
      double s = y[j];
      for (int p = j + 1; p < n; p++) {
        s -= g[p][j] * y[p];
      }
      y[j] = s / g[j][j];
    }
    return y;
  }

  private static double[] clean(double[] c) {
    double max = 0;
    for (double v : c) {
      max = Math.max(max, Math.abs(v));
    }
    double[] out = c.clone();
    for (int i = 0; i < out.length; i++) {
      if (Math.abs(out[i]) < CLEAN * max) {
        out[i] = 0;
      }
    }
    return out;
  }

  /** Evenly spaced grid over {@code [a, b]}, both ends included. */
  static double[] grid(double a, double b, int degree) {
    int m = Math.max(2001, 16 * (degree + 1));
    double[] x = new double[m];
    for (int i = 0; i < m; i++) {
      x[i] = a + (b - a) * i / (m - 1);
    }
    x[m - 1] = b;
    return x;
  }

  /** Max of {@code |p(x) - f(x)|} over the error grid of {@code p}'s interval. */
  public static double maxError(DoubleUnaryOperator f, ChebyshevPolynomial p) {
    double max = 0;
    for (double x : grid(p.a(), p.b(), p.degree())) {
      max = Math.max(max, Math.abs(p.value(x) - f.applyAsDouble(x)));
    }
    return max;
  }

  /** Max of {@code |p(x)/f(x) - 1|} over the error grid (geometric as well as even spacing). */
  public static double maxRelativeError(DoubleUnaryOperator f, ChebyshevPolynomial p) {
    double max = 0;
    for (double x : grid(p.a(), p.b(), p.degree())) {
      max = Math.max(max, Math.abs(p.value(x) / f.applyAsDouble(x) - 1));
    }
    if (p.a() > 0) {
      // Relative errors of functions like 1/x live near the left end: sample it geometrically too.
      int m = 2001;
      double ratio = p.b() / p.a();
      for (int i = 0; i < m; i++) {
        double x = p.a() * Math.pow(ratio, (double) i / (m - 1));
        max = Math.max(max, Math.abs(p.value(x) / f.applyAsDouble(x) - 1));
      }
    }
    return max;
  }
}
