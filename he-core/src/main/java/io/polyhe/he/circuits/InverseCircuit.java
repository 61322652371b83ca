package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import java.util.List;

/**
 * {@code 1/x} for encrypted {@code x} in a stated range {@code [lo, hi]}, {@code 0 < lo < hi}: a
 * polynomial initial guess, Goldschmidt iterations, and optionally a final Newton step.
 *
 * <h2>Algorithm</h2>
 *
 * <ol>
 *   <li><b>Initial guess with the optimal relative error.</b> Among polynomials {@code y_0} of
 *       degree {@code d}, the one minimising {@code max |1 - x·y_0(x)|} on {@code [lo, hi]} has
 *       residual {@code e_0(x) = 1 - x·y_0(x) = T_{d+1}(ℓ(x))/T_{d+1}(ℓ(0))} ({@code ℓ} maps
 *       {@code [lo, hi]} onto {@code [-1, 1]}), so {@code |e_0| <= ε_0 = 1/cosh((d+1)·acosh((hi+lo)/(hi-lo)))}.
 *       With {@code d = 2^a - 2}, both {@code y_0} and {@code e_0} (degree {@code 2^a - 1}) come
 *       out of one {@link PolynomialEvaluator} sharing a power basis, at depth {@code a}; computing
 *       {@code e_0} directly instead of as {@code 1 - x·y_0} saves a level.
 *   <li><b>Goldschmidt</b> ({@code g} steps, 1 level each): {@code y ← y·(1 + e)}, {@code e ← e²};
 *       after them {@code y = (1 - e_0^(2^g))/x}.
 *   <li><b>Newton</b> ({@code n} steps, 2 levels each): {@code y ← y·(1 + (1 - x·y))}. Goldschmidt
 *       carries the initial guess's noise along; a Newton step recomputes the residual from
 *       {@code x} and squares it away, so the planner adds one when the guess's noise, amplified
 *       by {@code hi}, would exceed the target.
 * </ol>
 *
 * Depth {@code a + g + 2n} for an input at (at most twice) {@link #preferredInputScale(int)}; one
 * more otherwise (see {@link PolynomialEvaluator}). The noiseless relative error is {@code
 * ε_0^(2^(g+n))}; {@link #plan(double, double, double)} picks the least depth {@code (a, g, n)}
 * that reaches a target under its noise model, and rejects targets below the noise floor (about
 * {@code 2^-26·hi}). The output lands exactly on the target scale (default scale).
 *
 * <h2>Measured error</h2>
 *
 * Max relative error {@code |y·x - 1|} over 1024 points spread geometrically over the range, ends
 * included, input encrypted at the preferred scale; CKKS with N = 2^11, 40-bit primes, scale
 * 2^40, 20 levels (insecure, test-only parameters). {@code InverseCircuitTest} asserts the
 * bounds.
 *
 * <table>
 *   <caption>1/x: plan, predicted (noiseless) and measured max relative error</caption>
 *   <tr><th>range</th><th>target</th><th>a, g, n</th><th>depth</th><th>predicted</th><th>measured</th><th>bound</th></tr>
 *   <tr><td>[0.5, 2]</td><td>2^-20</td><td>3, 1, 0</td><td>4</td><td>8.4e-7</td><td>8.4e-7</td><td>2e-6</td></tr>
 *   <tr><td>[0.1, 10]</td><td>2^-16</td><td>6, 0, 0</td><td>6</td><td>6.5e-6</td><td>6.5e-6</td><td>1e-5</td></tr>
 *   <tr><td>[0.01, 100]</td><td>2^-12</td><td>9, 0, 0</td><td>9</td><td>7.3e-5</td><td>7.4e-5</td><td>2e-4</td></tr>
 *   <tr><td>[0.001, 1000]</td><td>2^-10</td><td>10, 2, 1</td><td>14</td><td>1.7e-5</td><td>9.2e-5</td><td>1e-3</td></tr>
 * </table>
 *
 * With N = 2^10, 36-bit primes, scale 2^36: [0.5, 2] at 2^-16: 8.5e-7 (depth 4); [0.1, 10] at
 * 2^-12 (plan 4, 2, 0, depth 6): 9.4e-5. An input at the default scale instead of the preferred one
 * costs one more level (tested on [0.1, 10]: within the same bound).
 *
 * The input's own precision bounds the output's: {@code 1/x} turns an absolute input error
 * {@code δ} into a relative output error {@code δ/x}, largest at {@code lo}. Immutable;
 * thread-safe.
 */
public final class InverseCircuit implements UnaryCircuit {

  /**
   * The shape of the circuit.
   *
   * @param polynomialDepth {@code a}: initial guess of degree {@code 2^a - 2}, {@code a >= 2}
   * @param goldschmidtSteps {@code g >= 0}
   * @param newtonSteps {@code n >= 0}
   * @param predictedError noiseless max relative error {@code ε_0^(2^(g+n))}
   */
  public record Plan(int polynomialDepth, int goldschmidtSteps, int newtonSteps, double predictedError) {
    public Plan {
      if (polynomialDepth < 2 || polynomialDepth > 14 || goldschmidtSteps < 0 || newtonSteps < 0) {
        throw new IllegalArgumentException("invalid plan: a=" + polynomialDepth + ", g="
            + goldschmidtSteps + ", n=" + newtonSteps + " (need 2 <= a <= 14, g, n >= 0)");
      }
    }

    /** Levels consumed at the preferred input scale. */
    public int depth() {
      return polynomialDepth + goldschmidtSteps + 2 * newtonSteps;
    }
  }

  /** Absolute noise assumed per evaluated basis polynomial when planning (CKKS at scale ≈ 2^40). */
  static final double NOISE = 0x1p-26;

  private final CkksParameters params;
  private final double lo;
  private final double hi;
  private final Plan plan;
  private final PolynomialEvaluator guess;
  private final double targetScale;

  private InverseCircuit(CkksParameters params, double lo, double hi, Plan plan, double targetScale) {
    checkRange(lo, hi);
    this.params = params;
    this.lo = lo;
    this.hi = hi;
    this.plan = plan;
    this.targetScale = targetScale;
    ChebyshevPolynomial[] pe = initialGuess(lo, hi, plan.polynomialDepth());
    this.guess = new PolynomialEvaluator(params, pe[0], pe[1]);
  }

  /**
   * The cheapest circuit reaching {@code targetRelativeError} (noiseless) on {@code [lo, hi]}.
   *
   * @throws IllegalArgumentException on an invalid range or an unreachable target
   */
  public static InverseCircuit of(CkksParameters params, double lo, double hi, double targetRelativeError) {
    return new InverseCircuit(params, lo, hi, plan(lo, hi, targetRelativeError), params.defaultScale());
  }

  /** A circuit of the given shape. */
  public static InverseCircuit of(CkksParameters params, double lo, double hi, Plan plan) {
    return new InverseCircuit(params, lo, hi, plan, params.defaultScale());
  }

  /** The same circuit with outputs at {@code scale}. */
  public InverseCircuit withTargetScale(double scale) {
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + scale);
    }
    return new InverseCircuit(params, lo, hi, plan, scale);
  }

  static void checkRange(double lo, double hi) {
    if (!(lo > 0) || !(hi > lo) || Double.isInfinite(hi)) {
      throw new IllegalArgumentException("need a range 0 < lo < hi < ∞, got [" + lo + ", " + hi + "]");
    }
  }

  /** {@code ε_0 = 1/|T_{d+1}(ℓ(0))|} for degree {@code d = 2^a - 2}. */
  static double initialError(double lo, double hi, int a) {
    double xi = (hi + lo) / (hi - lo);
    double z = ((1 << a) - 1) * acosh(xi);
    return z > 700 ? 0 : 1 / Math.cosh(z);
  }

  private static double acosh(double x) {
    // log(x + sqrt(x²-1)) loses precision near 1; write x = 1 + u.
    double u = x - 1;
    return Math.log1p(u + Math.sqrt(u * (u + 2)));
  }

  /**
   * The shape of least depth (then fewest products) whose relative error is at most {@code
   * target} under a simple noise model: the initial guess carries an absolute error of {@code
   * 2^-26} per unit of its coefficient mass, which Goldschmidt carries as a relative error of up to
   * {@code hi} times that over {@code 1 - ε_0}; each Newton step squares the relative error and
   * adds {@code 2^-26·hi}. The noiseless error of the plan is {@link Plan#predictedError()}.
   *
   * @throws IllegalArgumentException if the range is invalid, the target is not in (0, 1), or no
   *     plan of depth at most 30 reaches the target
   */
  public static Plan plan(double lo, double hi, double target) {
    checkRange(lo, hi);
    if (!(target > 0 && target < 1)) {
      throw new IllegalArgumentException("target relative error must be in (0, 1), got " + target);
    }
    Plan best = null;
    for (int a = 2; a <= 14; a++) {
      if (best != null && a >= best.depth()) {
        break;
      }
      double e0 = initialError(lo, hi, a);
      double noise = NOISE * coefficientMass(lo, hi, a) * hi / Math.max(1e-300, 1 - e0);
      for (int g = 0; g <= 20; g++) {
        double eg = Math.pow(e0, Math.pow(2, g));
        for (int n = 0; n <= 2; n++) {
          double err = eg + noise;
          for (int j = 0; j < n; j++) {
            err = err * err + NOISE * hi;
          }
          Plan p = new Plan(a, g, n, Math.pow(e0, Math.pow(2, g + n)));
          if (err <= target && (best == null || p.depth() < best.depth())) {
            best = p;
          }
        }
      }
    }
    if (best == null || best.depth() > 30) {
      throw new IllegalArgumentException("no inverse circuit of depth <= 30 reaches relative error "
          + target + " on [" + lo + ", " + hi + "]");
    }
    return best;
  }

  /** An estimate of the Chebyshev coefficient mass of y_0: about 2/(lo·sqrt-ratio) per term. */
  private static double coefficientMass(double lo, double hi, int a) {
    double xi = (hi + lo) / (hi - lo);
    double rho = xi + Math.sqrt(xi * xi - 1);
    int terms = (1 << a) - 1;
    double c0 = 2 / ((hi - lo) / 2 * Math.sqrt(xi * xi - 1));
    return c0 * (1 - Math.pow(rho, -terms)) / (1 - 1 / rho);
  }

  /** {@code {y_0, e_0}} in the Chebyshev basis of {@code [lo, hi]}. */
  static ChebyshevPolynomial[] initialGuess(double lo, double hi, int a) {
    int d = (1 << a) - 2;
    double xi = (hi + lo) / (hi - lo);
    double tAtZero = Math.cosh((d + 1) * acosh(xi)) * ((d + 1) % 2 == 0 ? 1 : -1);
    double[] ec = new double[d + 2];
    ec[d + 1] = 1 / tAtZero;
    ChebyshevPolynomial e0 = new ChebyshevPolynomial(lo, hi, ec);
    // y_0 = (1 - e_0(x))/x, a polynomial of degree d: interpolation at d+1 nodes is exact.
    ChebyshevPolynomial y0 = ChebyshevApproximation.interpolate(x -> {
      double t = (2 * x - lo - hi) / (hi - lo);
      double td = Math.cos((d + 1) * Math.acos(Math.max(-1, Math.min(1, t))));
      return (1 - td / tAtZero) / x;
    }, lo, hi, d);
    return new ChebyshevPolynomial[] {y0, e0};
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

  /** Levels consumed for an input at {@code level} and {@code scale} (one more above the preferred scale). */
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
    Levels.checkParameters(params, ar, "inverse");
    int inLevel = ar.level(input);
    double inScale = ar.scale(input);
    int total = depth(inLevel, inScale);
    Levels.require("inverse on [" + lo + ", " + hi + "] (plan a=" + plan.polynomialDepth() + ", g="
        + plan.goldschmidtSteps() + ", n=" + plan.newtonSteps() + ")", inLevel, total);
    C x = ar.size(input) == 3 ? ar.relinearize(input) : input;
    int top = inLevel - guess.depth(inLevel, inScale);
    int g = plan.goldschmidtSteps();
    int n = plan.newtonSteps();
    // Scales backwards from the target: Newton steps, then Goldschmidt steps.
    double[] newtonStartScale = new double[n];
    double s = targetScale;
    for (int j = n - 1; j >= 0; j--) {
      int level = top - g - 2 * j;
      newtonStartScale[j] = s * ar.q(level - 1) / ar.q(level);
      s = newtonStartScale[j];
    }
    double[] eScale = new double[Math.max(g, 1)];
    eScale[0] = ar.q(top);
    for (int i = 1; i < g; i++) {
      eScale[i] = eScale[i - 1] * eScale[i - 1] / ar.q(top - i + 1);
    }
    for (int i = g - 1; i >= 0; i--) {
      s = s * ar.q(top - i) / eScale[i];
    }
    List<C> ye = guess.applyAll(ar, x, new double[] {s, eScale[0]});
    C y = ye.get(0);
    C e = ye.get(1);
    for (int i = 0; i < g; i++) {
      int level = top - i;
      C onePlusE = ar.addConstant(e, 1.0);
      double next = i + 1 < g ? ar.scale(y) * eScale[i] / ar.q(level) : 0;
      y = ar.rescale(ar.mulRelin(y, onePlusE));
      if (i + 1 < g) {
        y = ar.reinterpretScale(y, next);
        e = ar.reinterpretScale(ar.rescale(ar.mulRelin(e, e)), eScale[i + 1]);
      }
    }
    for (int j = 0; j < n; j++) {
      int level = top - g - 2 * j;
      y = ar.reinterpretScale(y, newtonStartScale[j]);
      // r = 1 - x·y at scale q_level, with x brought down at the scale that lands it there.
      double rScale = ar.q(level);
      C xs = Levels.toLevelAndScale(ar, x, level, rScale * ar.q(level) / ar.scale(y));
      C r = ar.reinterpretScale(ar.rescale(ar.mulRelin(xs, y)), rScale);
      C onePlusR = ar.addConstant(ar.negate(r), 2.0);
      y = ar.rescale(ar.mulRelin(ar.dropToLevel(y, level - 1), onePlusR));
    }
    return ar.reinterpretScale(y, targetScale);
  }

  @Override
  public String toString() {
    return "InverseCircuit([" + lo + ", " + hi + "], " + plan + ")";
  }
}
