package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code 1/√x} for encrypted {@code x} in a stated range {@code [lo, hi]}, {@code 0 < lo < hi}: a
 * polynomial initial guess fitted for relative error, then Newton iterations.
 *
 * <h2>Algorithm</h2>
 *
 * <ol>
 *   <li><b>Initial guess</b> {@code y_0} of degree {@code 2^a - 1} (depth {@code a}), a
 *       near-minimax fit of {@code 1/√x} in relative error ({@link
 *       ChebyshevApproximation#fitRelative}); its relative error {@code u_0 = max |y_0·√x - 1|} is
 *       measured when the circuit is built.
 *   <li><b>Newton</b> ({@code k} steps, 2 levels each): {@code y ← 1.5·y - 0.5·x·y³}, computed as
 *       {@code (−x/2·y)·y²} (both factors one level down, in parallel) plus {@code 1.5·y} brought
 *       down two levels at the matching scale. A relative error {@code u} becomes {@code 1.5u² +
 *       0.5u³}; noise is squared away as well (Newton corrects itself).
 * </ol>
 *
 * Depth {@code a + 2k} for an input at (at most twice) {@link #preferredInputScale(int)}, one more
 * otherwise; {@link #plan(double, double, double)} picks the least depth reaching a target. The
 * output lands exactly on the target scale (default scale).
 *
 * <h2>Measured error</h2>
 *
 * Max relative error {@code |y·√x - 1|} over 1024 points spread geometrically over the range, ends
 * included, input at the preferred scale; CKKS with N = 2^11, 40-bit primes, scale 2^40, 20
 * levels (insecure, test-only parameters). {@code InverseSqrtCircuitTest} asserts the bounds.
 *
 * <table>
 *   <caption>1/√x: plan, predicted (noiseless) and measured max relative error</caption>
 *   <tr><th>range</th><th>target</th><th>a, k</th><th>depth</th><th>predicted</th><th>measured</th><th>bound</th></tr>
 *   <tr><td>[0.5, 2]</td><td>2^-20</td><td>4, 0</td><td>4</td><td>7.0e-9</td><td>8.6e-9</td><td>1e-6</td></tr>
 *   <tr><td>[0.1, 10]</td><td>2^-16</td><td>6, 0</td><td>6</td><td>6.5e-7</td><td>6.6e-7</td><td>1e-5</td></tr>
 *   <tr><td>[0.01, 100]</td><td>2^-12</td><td>8, 1</td><td>10</td><td>6.5e-6</td><td>6.5e-6</td><td>1e-4</td></tr>
 * </table>
 *
 * With N = 2^10, 36-bit primes, scale 2^36: [0.5, 2] at 2^-16: 3.6e-8 (depth 4); [0.1, 10] at
 * 2^-10 (plan 5, 0): 5.6e-4.
 *
 * Immutable; thread-safe.
 */
public final class InverseSqrtCircuit implements UnaryCircuit {

  /**
   * The shape of the circuit.
   *
   * @param polynomialDepth {@code a}: initial guess of degree {@code 2^a - 1}, {@code 1 <= a <= 8}
   * @param newtonSteps {@code k >= 0}
   * @param initialError measured max relative error of the initial guess
   * @param predictedError noiseless max relative error after the Newton steps
   */
  public record Plan(int polynomialDepth, int newtonSteps, double initialError, double predictedError) {
    public Plan {
      if (polynomialDepth < 1 || polynomialDepth > 8 || newtonSteps < 0) {
        throw new IllegalArgumentException("invalid plan: a=" + polynomialDepth + ", k=" + newtonSteps
            + " (need 1 <= a <= 8, k >= 0)");
      }
    }

    public int depth() {
      return polynomialDepth + 2 * newtonSteps;
    }
  }

  private static final Map<String, ChebyshevApproximation.Fit> FITS = new ConcurrentHashMap<>();

  private final CkksParameters params;
  private final double lo;
  private final double hi;
  private final Plan plan;
  private final PolynomialEvaluator guess;
  private final double targetScale;

  private InverseSqrtCircuit(CkksParameters params, double lo, double hi, Plan plan, double targetScale) {
    InverseCircuit.checkRange(lo, hi);
    this.params = params;
    this.lo = lo;
    this.hi = hi;
    this.plan = plan;
    this.targetScale = targetScale;
    this.guess = new PolynomialEvaluator(params, fit(lo, hi, plan.polynomialDepth()).polynomial());
  }

  /**
   * The least-depth circuit reaching {@code targetRelativeError} (noiseless) on {@code [lo, hi]}.
   *
   * @throws IllegalArgumentException on an invalid range or an unreachable target
   */
  public static InverseSqrtCircuit of(CkksParameters params, double lo, double hi, double targetRelativeError) {
    return new InverseSqrtCircuit(params, lo, hi, plan(lo, hi, targetRelativeError), params.defaultScale());
  }

  /** A circuit of the given shape (its errors are recomputed from the range). */
  public static InverseSqrtCircuit of(CkksParameters params, double lo, double hi, int polynomialDepth,
      int newtonSteps) {
    double u0 = fit(lo, hi, polynomialDepth).maxError();
    return new InverseSqrtCircuit(params, lo, hi,
        new Plan(polynomialDepth, newtonSteps, u0, afterNewton(u0, newtonSteps)), params.defaultScale());
  }

  /** The same circuit with outputs at {@code scale}. */
  public InverseSqrtCircuit withTargetScale(double scale) {
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + scale);
    }
    return new InverseSqrtCircuit(params, lo, hi, plan, scale);
  }

  /** The relative-error fit of degree {@code 2^a - 1} (cached: fitting costs up to a second). */
  static ChebyshevApproximation.Fit fit(double lo, double hi, int a) {
    InverseCircuit.checkRange(lo, hi);
    if (a < 1 || a > 8) {
      throw new IllegalArgumentException("polynomial depth must be in 1..8, got " + a);
    }
    return FITS.computeIfAbsent(lo + ":" + hi + ":" + a,
        k -> ChebyshevApproximation.fitRelative(x -> 1 / Math.sqrt(x), lo, hi, (1 << a) - 1));
  }

  static double afterNewton(double u, int steps) {
    for (int i = 0; i < steps; i++) {
      u = 1.5 * u * u + 0.5 * u * u * u;
    }
    return u;
  }

  /**
   * The least-depth shape whose noiseless relative error is at most {@code target}; among equal
   * depths, the lower polynomial degree.
   *
   * @throws IllegalArgumentException on an invalid range, a target outside (0, 1), or when no
   *     shape with {@code a <= 8} and at most 8 Newton steps reaches the target
   */
  public static Plan plan(double lo, double hi, double target) {
    InverseCircuit.checkRange(lo, hi);
    if (!(target > 0 && target < 1)) {
      throw new IllegalArgumentException("target relative error must be in (0, 1), got " + target);
    }
    Plan best = null;
    for (int a = 1; a <= 8; a++) {
      if (best != null && a >= best.depth()) {
        break;
      }
      double u0 = fit(lo, hi, a).maxError();
      if (u0 >= 0.9) {
        continue;
      }
      for (int k = 0; k <= 8; k++) {
        double u = afterNewton(u0, k);
        if (u <= target) {
          Plan p = new Plan(a, k, u0, u);
          if (best == null || p.depth() < best.depth()) {
            best = p;
          }
          break;
        }
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no inverse square root circuit (a <= 8, k <= 8) reaches relative error "
          + target + " on [" + lo + ", " + hi + "]");
    }
    return best;
  }

  public Plan plan() {
    return plan;
  }

  public double lo() {
    return lo;
  }

  public double hi() {
    return hi;
  }

  @Override
  public int depth() {
    return plan.depth();
  }

  /** Levels consumed for an input at {@code level} and {@code scale}. */
  public int depth(int level, double scale) {
    return guess.depth(level, scale) - guess.depth() + plan.depth();
  }

  /** The input scale that keeps the depth minimal (see {@link PolynomialEvaluator}). */
  public double preferredInputScale(int level) {
    return guess.preferredInputScale(level);
  }

  @Override
  public int[] galoisElements() {
    return new int[0];
  }

  @Override
  public boolean needsRelinearizationKey() {
    return true;
  }

  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    Levels.checkParameters(params, ar, "inverse square root");
    int inLevel = ar.level(input);
    double inScale = ar.scale(input);
    Levels.require("inverse square root on [" + lo + ", " + hi + "] (plan a=" + plan.polynomialDepth()
        + ", k=" + plan.newtonSteps() + ")", inLevel, depth(inLevel, inScale));
    C x = ar.size(input) == 3 ? ar.relinearize(input) : input;
    int top = inLevel - guess.depth(inLevel, inScale);
    int k = plan.newtonSteps();
    C y = guess.applyAll(ar, x, new double[] {k == 0 ? targetScale : ar.q(top)}).get(0);
    for (int j = 0; j < k; j++) {
      int level = top - 2 * j;
      double out = j == k - 1 ? targetScale : ar.q(level - 2);
      double sy = ar.scale(y);
      C y2 = ar.rescale(ar.mulRelin(y, y));
      // -x/2 at the scale that lands (-x/2·y)·y² exactly on `out`.
      double xyScale = out * ar.q(level - 1) / ar.scale(y2);
      C xh = Levels.mulConstantTo(ar, x, -0.5, level, xyScale * ar.q(level) / sy);
      C xy = ar.reinterpretScale(ar.rescale(ar.mulRelin(xh, y)), xyScale);
      C t = ar.reinterpretScale(ar.rescale(ar.mulRelin(xy, y2)), out);
      C y15 = Levels.mulConstantTo(ar, y, 1.5, level - 2, out);
      y = ar.reinterpretScale(ar.add(t, ar.reinterpretScale(y15, out)), out);
    }
    return ar.reinterpretScale(y, targetScale);
  }

  @Override
  public String toString() {
    return "InverseSqrtCircuit([" + lo + ", " + hi + "], " + plan + ")";
  }
}
