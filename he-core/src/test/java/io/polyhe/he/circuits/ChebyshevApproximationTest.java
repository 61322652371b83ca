package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Chebyshev fits against the functions they approximate (plain doubles, no encryption). */
class ChebyshevApproximationTest {

  @Test
  void interpolationReproducesPolynomialsExactly() {
    // 3x^3 - 2x + 1 on [-2, 5] has degree 3: the degree-3 and degree-7 interpolants are exact.
    for (int d : new int[] {3, 7}) {
      var fit = ChebyshevApproximation.fit(x -> 3 * x * x * x - 2 * x + 1, -2, 5, d);
      assertTrue(fit.maxError() < 1e-11, "error " + fit.maxError());
      assertEquals(3, fit.polynomial().degree(), "zero tail coefficients are dropped");
      assertEquals(3 * 125 - 10 + 1, fit.polynomial().value(5), 1e-10);
      assertEquals(-24 + 4 + 1, fit.polynomial().value(-2), 1e-10);
    }
  }

  @Test
  void geluErrorShrinksWithDegreeAndIsMeasuredHonestly() {
    double prev = Double.POSITIVE_INFINITY;
    for (int d : new int[] {15, 31, 63}) {
      var fit = ChebyshevApproximation.fit(PolynomialEvaluatorTest::gelu, -8, 8, d);
      assertTrue(fit.maxError() < prev, "degree " + d);
      prev = fit.maxError();
      // An independent denser check, ends included, agrees with the reported maximum within 1 %.
      double max = 0;
      for (int i = 0; i <= 100_000; i++) {
        double x = -8 + 16.0 * i / 100_000;
        max = Math.max(max, Math.abs(fit.polynomial().value(x) - PolynomialEvaluatorTest.gelu(x)));
      }
      assertEquals(max, fit.maxError(), 0.01 * max + 1e-15, "degree " + d);
    }
    // Documented magnitudes (used by the bench): degree 15 about 4.5e-2, degree 63 below 1e-11.
    assertTrue(ChebyshevApproximation.fit(PolynomialEvaluatorTest::gelu, -8, 8, 15).maxError() < 0.05);
    assertTrue(ChebyshevApproximation.fit(PolynomialEvaluatorTest::gelu, -8, 8, 63).maxError() < 1e-11);
  }

  @Test
  void parityIsExact() {
    var odd = ChebyshevApproximation.fit(Math::sin, -3, 3, 15).polynomial();
    assertTrue(odd.isOdd());
    assertFalse(odd.isEven());
    var even = ChebyshevApproximation.fit(Math::cos, -3, 3, 16).polynomial();
    assertTrue(even.isEven());
    // Not symmetric about 0: no parity.
    var none = ChebyshevApproximation.fit(Math::sin, 0, 3, 15).polynomial();
    assertFalse(none.isOdd() || none.isEven());
  }

  @Test
  void fitToAccuracyPicksTheSmallestFullDepthDegree() {
    var fit = ChebyshevApproximation.fitToAccuracy(Math::exp, -1, 1, 1e-10, 255);
    assertTrue(fit.maxError() <= 1e-10);
    // The fitted degree is 2^k - 1 (a vanishing top coefficient may lower the reported degree).
    int d = (Integer.highestOneBit(fit.polynomial().degree()) << 1) - 1;
    assertTrue(ChebyshevApproximation.fit(Math::exp, -1, 1, (d - 1) / 2).maxError() > 1e-10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChebyshevApproximation.fitToAccuracy(Math::abs, -1, 1, 1e-12, 63));
    assertTrue(e.getMessage().contains("no Chebyshev interpolant"), e.getMessage());
  }

  @Test
  void relativeFitBeatsInterpolationInRelativeError() {
    var interp = ChebyshevApproximation.fit(x -> 1 / Math.sqrt(x), 0.01, 100, 63).polynomial();
    double interpRel = ChebyshevApproximation.maxRelativeError(x -> 1 / Math.sqrt(x), interp);
    var rel = ChebyshevApproximation.fitRelative(x -> 1 / Math.sqrt(x), 0.01, 100, 63);
    assertTrue(rel.relative());
    assertTrue(rel.maxError() < 0.7 * interpRel, rel.maxError() + " vs " + interpRel);
  }

  @Test
  void badInputIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ChebyshevApproximation.fit(Math::exp, 1, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> ChebyshevApproximation.fit(Math::exp, 0, 1, -1));
    assertThrows(IllegalArgumentException.class, () -> ChebyshevApproximation.fit(x -> Double.NaN, -1, 1, 4));
    assertThrows(IllegalArgumentException.class,
        () -> ChebyshevApproximation.fitRelative(x -> 0 * x, -1, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> new ChebyshevPolynomial(0, 1, new double[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new ChebyshevPolynomial(0, 1, new double[] {Double.NaN}));
  }
}
