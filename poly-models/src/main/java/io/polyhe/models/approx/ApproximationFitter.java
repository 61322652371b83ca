package io.polyhe.models.approx;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;

/**
 * Chooses approximations over calibrated ranges, by the same rules as {@code
 * training/approx.py}:
 *
 * <ul>
 *   <li>Newton ({@code 1/x}, {@code 1/sqrt x}): the Chebyshev interpolant of the target of the
 *       requested guess degree (lower if it is not positive on the range), scaled by a constant
 *       that centres Newton's invariant on 1 over the range, then the fewest iterations whose
 *       max relative error over a dense grid is at most the tolerance;
 *   <li>activation: the lowest-degree Chebyshev interpolant of tanh-GELU whose max absolute
 *       error over the grid is at most the tolerance.
 * </ul>
 *
 * The grid holds 4001 evenly spaced points and, for positive ranges, 4001 geometrically spaced
 * ones. Stateless; thread-safe.
 */
public final class ApproximationFitter {
  private static final int GRID = 4001;
  private static final int MAX_ITERATIONS = 60;
  private static final int MAX_DEGREE = 127;

  private ApproximationFitter() {}

  /** The dense evaluation grid over {@code [lo, hi]}, sorted, ends included. */
  public static double[] grid(double lo, double hi) {
    TreeSet<Double> pts = new TreeSet<>();
    for (int i = 0; i < GRID; i++) {
      pts.add(i == GRID - 1 ? hi : lo + (hi - lo) * i / (GRID - 1));
    }
    if (lo > 0) {
      double l0 = Math.log(lo);
      double l1 = Math.log(hi);
      for (int i = 0; i < GRID; i++) {
        pts.add(i == 0 ? lo : i == GRID - 1 ? hi : Math.exp(l0 + (l1 - l0) * i / (GRID - 1)));
      }
    }
    return pts.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * Fits {@code kind} on {@code [lo, hi]}.
   *
   * @throws IllegalArgumentException if the range is invalid, no positive guess exists, or
   *     {@value #MAX_ITERATIONS} iterations do not reach {@code tolerance}
   */
  public static NewtonApproximation fitNewton(
      NewtonKind kind, double lo, double hi, int guessDegree, double tolerance) {
    if (!(lo > 0 && lo < hi && Double.isFinite(hi))) {
      throw new IllegalArgumentException(kind + ": need 0 < lo < hi, got [" + lo + ", " + hi + "]");
    }
    double[] xs = grid(lo, hi);
    for (int deg = guessDegree; deg >= 1; deg--) {
      ChebyshevSeries raw = ChebyshevSeries.interpolate(kind::exact, lo, hi, deg);
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      boolean positive = true;
      for (double x : xs) {
        double g = raw.evaluate(x);
        double inv = kind.invariant(g, x);
        positive &= g > 0 && inv > 0;
        min = Math.min(min, inv);
        max = Math.max(max, inv);
      }
      if (!positive) {
        continue;
      }
      double s = 2.0 / (min + max);
      ChebyshevSeries guess = raw.scaled(kind == NewtonKind.INVERSE ? s : Math.sqrt(s));
      for (int it = 0; it <= MAX_ITERATIONS; it++) {
        NewtonApproximation a = new NewtonApproximation(kind, lo, hi, guess, it, 0);
        double err = maxRelativeError(a, xs);
        if (err <= tolerance) {
          return new NewtonApproximation(kind, lo, hi, guess, it, err);
        }
      }
      throw new IllegalArgumentException(
          kind + ": no convergence to " + tolerance + " in " + MAX_ITERATIONS + " iterations on ["
              + lo + ", " + hi + "]");
    }
    throw new IllegalArgumentException(kind + ": no positive initial guess on [" + lo + ", " + hi + "]");
  }

  /**
   * Fits {@code kind} on {@code [lo, hi]} for the least encrypted depth, by the rule of {@code
   * approx.fit_newton_min_depth}: for each guess degree {@code 2^k - 1 <= maxGuessDegree}
   * ({@code k >= 1}) the scaled interpolant (as in {@link #fitNewton}) with the fewest Newton
   * iterations reaching {@code tolerance}; the least {@link NewtonApproximation#encryptedDepth()}
   * wins (ties: lower degree). The degree is then lowered to the smallest of the same Chebyshev
   * depth that still reaches the tolerance within that many iterations.
   *
   * @throws IllegalArgumentException if the range is invalid or no candidate converges
   */
  public static NewtonApproximation fitNewtonMinDepth(
      NewtonKind kind, double lo, double hi, int maxGuessDegree, double tolerance) {
    if (!(lo > 0 && lo < hi && Double.isFinite(hi))) {
      throw new IllegalArgumentException(kind + ": need 0 < lo < hi, got [" + lo + ", " + hi + "]");
    }
    double[] xs = grid(lo, hi);
    NewtonApproximation best = null;
    for (int k = 1; (1 << k) - 1 <= maxGuessDegree; k++) {
      ChebyshevSeries guess = scaledGuess(kind, lo, hi, (1 << k) - 1, xs);
      NewtonApproximation a = guess == null ? null : fewestIterations(kind, lo, hi, guess, xs, tolerance, MAX_ITERATIONS);
      if (a != null && (best == null || a.encryptedDepth() < best.encryptedDepth())) {
        best = a;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException(kind + ": no guess of degree <= " + maxGuessDegree
          + " converges to " + tolerance + " on [" + lo + ", " + hi + "]");
    }
    int deg = best.guess().degree();
    for (int d = Math.max(1, (deg + 1) / 2); d <= deg; d++) {
      ChebyshevSeries guess = scaledGuess(kind, lo, hi, d, xs);
      NewtonApproximation a = guess == null ? null : fewestIterations(kind, lo, hi, guess, xs, tolerance, best.iterations());
      if (a != null) {
        return a;
      }
    }
    throw new AssertionError("the depth-optimal candidate itself meets the tolerance");
  }

  /** The interpolant scaled so Newton's invariant is centred on 1, or null if not positive. */
  private static ChebyshevSeries scaledGuess(NewtonKind kind, double lo, double hi, int deg, double[] xs) {
    ChebyshevSeries raw = ChebyshevSeries.interpolate(kind::exact, lo, hi, deg);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : xs) {
      double g = raw.evaluate(x);
      double inv = kind.invariant(g, x);
      if (!(g > 0 && inv > 0)) {
        return null;
      }
      min = Math.min(min, inv);
      max = Math.max(max, inv);
    }
    double s = 2.0 / (min + max);
    return raw.scaled(kind == NewtonKind.INVERSE ? s : Math.sqrt(s));
  }

  /** The fewest iterations (at most {@code maxIterations}) reaching {@code tolerance}, or null. */
  private static NewtonApproximation fewestIterations(
      NewtonKind kind, double lo, double hi, ChebyshevSeries guess, double[] xs, double tolerance, int maxIterations) {
    double[] y = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      y[i] = guess.evaluate(xs[i]);
    }
    for (int it = 0; it <= maxIterations; it++) {
      double err = 0;
      for (int i = 0; i < xs.length; i++) {
        double exact = kind.exact(xs[i]);
        err = Math.max(err, Math.abs(y[i] - exact) / exact);
      }
      if (err <= tolerance) {
        return new NewtonApproximation(kind, lo, hi, guess, it, err);
      }
      for (int i = 0; i < xs.length; i++) {
        y[i] = kind.step(y[i], xs[i]);
      }
    }
    return null;
  }

  /** Max relative error of {@code a} over {@code xs}. */
  public static double maxRelativeError(NewtonApproximation a, double[] xs) {
    double err = 0;
    for (double x : xs) {
      double exact = a.kind().exact(x);
      err = Math.max(err, Math.abs(a.evaluate(x) - exact) / exact);
    }
    return err;
  }

  /**
   * The lowest-degree ({@code >= 2}) Chebyshev interpolant of tanh-GELU on {@code [a, b]} with
   * max absolute error at most {@code tolerance}.
   *
   * @throws IllegalArgumentException if degree {@value #MAX_DEGREE} does not reach it
   */
  public static ChebyshevApproximation fitActivation(double a, double b, double tolerance) {
    double[] xs = grid(a, b);
    for (int deg = 2; deg <= MAX_DEGREE; deg++) {
      ChebyshevSeries s = ChebyshevSeries.interpolate(Gelu::tanhForm, a, b, deg);
      double err = maxAbsoluteError(s::evaluate, Gelu::tanhForm, xs);
      if (err <= tolerance) {
        return new ChebyshevApproximation(s, err);
      }
    }
    throw new IllegalArgumentException(
        "gelu: degree " + MAX_DEGREE + " does not reach " + tolerance + " on [" + a + ", " + b + "]");
  }

  /** Max {@code |f - g|} over {@code xs}. */
  public static double maxAbsoluteError(DoubleUnaryOperator f, DoubleUnaryOperator g, double[] xs) {
    return Arrays.stream(xs).map(x -> Math.abs(f.applyAsDouble(x) - g.applyAsDouble(x))).max().orElse(0);
  }
}
