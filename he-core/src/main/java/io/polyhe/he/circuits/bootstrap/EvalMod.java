package io.polyhe.he.circuits.bootstrap;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.ChebyshevApproximation;
import io.polyhe.he.circuits.ChebyshevPolynomial;
import io.polyhe.he.circuits.PolynomialEvaluator;
import io.polyhe.he.circuits.UnaryCircuit;
import io.polyhe.he.ckks.CkksParameters;

/**
 * The homomorphic modular reduction of bootstrapping: for {@code x = I + f} with an integer
 * {@code |I| < K} and a small {@code f}, returns about {@code f}.
 *
 * <p>How (Han–Ki 2020, Bossuat et al. 2021): the scaled cosine {@code cos(2π(x − 1/4 + m)/2^r)}
 * ({@code m = 2^(r−2)} whole turns, see the constructor) is
 * interpolated on {@code [-K, K]} (Chebyshev, degree {@link #sineDegree()}) and evaluated on the
 * slots, then {@code r} double-angle steps {@code c ← 2c² − 1} turn it into {@code cos(2π(x − 1/4))
 * = sin(2πx) = sin(2πf)}. Dividing the angle by {@code 2^r} shrinks the interval the polynomial must
 * cover, so its degree falls from about {@code 2πK} to {@code 2πK/2^r}, at one level per step. An
 * optional arcsine correction ({@code arcsin(y) ≈ y + y³/6}, two more levels) removes the cubic
 * error of {@code sin(2πf) ≈ 2πf} where {@code f} is not small enough; the factor {@code 1/(2π)} is
 * applied by reading the result at a larger scale (free).
 *
 * <p>The input must arrive at {@link #inputScale(int)} (the polynomial's preferred scale) to cost
 * {@link #depth()} levels. Immutable, thread-safe.
 */
public final class EvalMod implements UnaryCircuit {
  private final CkksParameters params;
  private final double k;
  private final int doubleAngle;
  private final PolynomialEvaluator cosine;
  private final PolynomialEvaluator arcsine;
  private final double fitError;

  /**
   * @param k bound on {@code |x|} (the integer part plus the fraction)
   * @param doubleAngle number of double-angle steps r ≥ 0
   * @param sineDegree degree of the cosine interpolant
   * @param arcSine whether to apply the arcsine correction
   * @throws IllegalArgumentException on a non-positive K, negative r, or a degree below 1
   */
  public EvalMod(CkksParameters params, double k, int doubleAngle, int sineDegree, boolean arcSine) {
    if (!(k > 0) || doubleAngle < 0 || sineDegree < 1) {
      throw new IllegalArgumentException("need K > 0, r >= 0 and degree >= 1, got K = " + k + ", r = "
          + doubleAngle + ", degree " + sineDegree);
    }
    this.params = params;
    this.k = k;
    this.doubleAngle = doubleAngle;
    double div = Math.scalb(1.0, doubleAngle);
    // The angle may be shifted by any whole number m of turns before the division: after r steps it
    // adds 2π·m. m = 2^(r-2) puts x ≈ 0 (the most common I) at a first angle near π/2, where a
    // double-angle step amplifies errors least (by 2|cos|·... ≈ 2, against 4 near angle 0: the
    // product over r steps is 2^r·sin(2^r·θ)/sin(θ)).
    double shift = doubleAngle >= 2 ? Math.scalb(1.0, doubleAngle - 2) : 0;
    ChebyshevApproximation.Fit fit = ChebyshevApproximation.fit(
        x -> Math.cos(2 * Math.PI * (x - 0.25 + shift) / div), -k, k, sineDegree);
    this.fitError = fit.maxError();
    this.cosine = new PolynomialEvaluator(params, fit.polynomial());
    // arcsin(y) ≈ y + y³/6 = (9/8)·T_1(y) + (1/24)·T_3(y) on [-1, 1].
    this.arcsine = arcSine
        ? new PolynomialEvaluator(params, new ChebyshevPolynomial(-1, 1, new double[] {0, 9.0 / 8, 0, 1.0 / 24}))
        : null;
  }

  /** The max error of the cosine interpolant on [-K, K] (before the double-angle steps). */
  public double fitError() {
    return fitError;
  }

  public double k() {
    return k;
  }

  public int doubleAngle() {
    return doubleAngle;
  }

  public int sineDegree() {
    return cosine.polynomials().get(0).degree();
  }

  public boolean arcSine() {
    return arcsine != null;
  }

  /** The input scale at {@code level} that keeps the depth at {@link #depth()}. */
  public double inputScale(int level) {
    return cosine.preferredInputScale(level);
  }

  @Override
  public int depth() {
    return cosine.depth() + doubleAngle + (arcsine != null ? arcsine.depth() : 0);
  }

  @Override
  public int[] galoisElements() {
    return new int[0];
  }

  @Override
  public boolean needsRelinearizationKey() {
    return true;
  }

  /**
   * {@code (x − round(x))} (approximately) for slot values x with {@code |x| ≤ K}, at level {@code
   * level(input) − depth()} when the input arrives at {@link #inputScale}.
   */
  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    int level = ar.level(input);
    int afterCosine = level - cosine.depth(level, ar.scale(input));
    // Land the cosine on the prime the first square divides by, so squares keep their scale.
    double target = afterCosine > 0 ? ar.q(afterCosine) : params.defaultScale();
    C c = cosine.applyAll(ar, input, new double[] {target}).get(0);
    for (int i = 0; i < doubleAngle; i++) {
      C sq = ar.rescale(ar.mulRelin(c, c));
      c = ar.addConstant(ar.mulInteger(sq, 2), -1);
    }
    if (arcsine != null) {
      int l = ar.level(c);
      double t = l - arcsine.depth(l, ar.scale(c)) >= 0 ? ar.scale(c) : params.defaultScale();
      c = arcsine.applyAll(ar, c, new double[] {t}).get(0);
    }
    return ar.reinterpretScale(c, ar.scale(c) * 2 * Math.PI);
  }

  @Override
  public String toString() {
    return "EvalMod(K=" + k + ", r=" + doubleAngle + ", degree " + sineDegree() + (arcsine != null ? ", arcsine" : "")
        + ", depth " + depth() + ", fit error " + fitError + ")";
  }
}
