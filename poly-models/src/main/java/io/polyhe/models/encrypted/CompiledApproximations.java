package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.ChebyshevPolynomial;
import io.polyhe.he.circuits.PolynomialEvaluator;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.approx.ChebyshevSeries;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;

/**
 * A power-softmax model's approximations compiled for CKKS parameters: Chebyshev polynomials
 * evaluated by {@link PolynomialEvaluator} with the configured coefficients, so the encrypted
 * values are those of the poly-plain pass up to CKKS noise. Immutable; thread-safe.
 *
 * @param norm the inverse square root re-expressed on the row sum {@code u = Σ_row x²}: the same
 *     coefficients on {@code [d·(lo − eps), d·(hi − eps)]}, since {@code v = u/d + eps}
 * @param normOffset {@code d·(lo − eps)}, added to {@code u} outside the rows so that the
 *     polynomial stays bounded there
 * @param inverse the attention inverse {@code 1/x} (its Chebyshev guess)
 * @param inverseOffset the lower end of the inverse's interval, added outside the rows
 * @param activation the activation polynomial
 * @param power the power-softmax power {@code p}: even, at least 2
 * @param attentionEpsilon the power-softmax {@code ε} added to each row's sum
 */
record CompiledApproximations(PolynomialEvaluator norm, double normOffset, PolynomialEvaluator inverse,
    double inverseOffset, PolynomialEvaluator activation, int power, double attentionEpsilon) {

  /** Largest growth of the norm polynomial's top Chebyshev term allowed in the row gaps (values stay far from q). */
  static final double MAX_GAP_GROWTH = 1e6;

  /**
   * Compiles {@code config}'s approximations for {@code params}.
   *
   * @throws IllegalArgumentException if the model is not a power-softmax model with approximations,
   *     its power is not even and at least 2, an approximation uses Newton iterations (not
   *     evaluated on ciphertexts yet), or the offsets added outside the rows would leave a
   *     polynomial's range (see {@link #checkRanges})
   */
  static CompiledApproximations of(ModelConfig config, CkksParameters params) {
    if (!(config.attention() instanceof Attention.PowerSoftmax ps) || config.approximations().isEmpty()) {
      throw new IllegalArgumentException("model '" + config.name()
          + "' has no polynomial form (softmax attention or no approximations); only power-softmax models run encrypted");
    }
    if (ps.power() < 2 || ps.power() % 2 != 0) {
      throw new IllegalArgumentException("power-softmax power must be even and at least 2, got " + ps.power());
    }
    int d = config.hiddenSize();
    Approximations ap = config.approximations().get();
    NewtonApproximation invSqrt = noNewton(ap.normInverseSqrt(), "norm_inverse_sqrt");
    NewtonApproximation inv = noNewton(ap.attentionInverse(), "attention_inverse");
    double eps = config.norm().eps();
    PolynomialEvaluator norm = new PolynomialEvaluator(params, new ChebyshevPolynomial(
        d * (invSqrt.lo() - eps), d * (invSqrt.hi() - eps), invSqrt.guess().coefficients()));
    PolynomialEvaluator inverse = new PolynomialEvaluator(params, chebyshev(inv.guess()));
    PolynomialEvaluator activation = new PolynomialEvaluator(params, chebyshev(ap.activation().series()));
    checkRanges(config, invSqrt, inv);
    return new CompiledApproximations(norm, d * (invSqrt.lo() - eps), inverse, inv.lo(), activation, ps.power(),
        ps.epsilon());
  }

  private static NewtonApproximation noNewton(NewtonApproximation a, String name) {
    if (a.iterations() != 0) {
      throw new IllegalArgumentException(name + " uses " + a.iterations()
          + " Newton iterations; the encrypted pass evaluates Chebyshev guesses only (refit with 0 iterations)");
    }
    return a;
  }

  private static ChebyshevPolynomial chebyshev(ChebyshevSeries s) {
    return new ChebyshevPolynomial(s.a(), s.b(), s.coefficients());
  }

  /**
   * The constants the encrypted pass adds outside the rows must keep every polynomial bounded:
   * ε must not lie below the inverse's interval, the norm's eps below its interval, and the norm
   * polynomial is evaluated a little past its interval in the gaps between rows (a gap slot sums
   * part of a row plus the offset {@code d·(lo - eps)}, up to {@code d·(hi - eps) + offset}), so
   * the Chebyshev polynomial of its degree must stay moderate there. Throws otherwise.
   */
  private static void checkRanges(ModelConfig config, NewtonApproximation invSqrt, NewtonApproximation inv) {
    Attention.PowerSoftmax ps = (Attention.PowerSoftmax) config.attention();
    if (ps.epsilon() < inv.lo() * (1 - 1e-12)) {
      throw new IllegalArgumentException("attention epsilon " + ps.epsilon() + " lies below the inverse's interval ["
          + inv.lo() + ", " + inv.hi() + "]");
    }
    double eps = config.norm().eps();
    if (!(invSqrt.lo() > eps)) {
      throw new IllegalArgumentException("norm eps " + eps + " is not below the inverse square root's interval ["
          + invSqrt.lo() + ", " + invSqrt.hi() + "]");
    }
    double overshoot = 1 + 2 * (invSqrt.lo() - eps) / (invSqrt.hi() - invSqrt.lo());
    double growth = Math.cosh(invSqrt.guess().degree() * acosh(overshoot));
    if (growth > MAX_GAP_GROWTH) {
      throw new IllegalArgumentException(String.format(
          "the norm polynomial (degree %d on [%g, %g]) grows by %.3g just past its interval, where the gaps"
              + " between rows take it; refit on a wider interval (lower lo relative to hi)",
          invSqrt.guess().degree(), invSqrt.lo(), invSqrt.hi(), growth));
    }
  }

  private static double acosh(double x) {
    return Math.log(x + Math.sqrt(x * x - 1));
  }
}
