package io.polyhe.models.approx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApproximationFitterTest {

  @Test
  void chebyshevInterpolationIsExactOnPolynomials() {
    ChebyshevSeries s = ChebyshevSeries.interpolate(x -> 3 * x * x * x - x + 2, -2, 5, 3);
    for (double x = -2; x <= 5; x += 0.125) {
      assertEquals(3 * x * x * x - x + 2, s.evaluate(x), 1e-10);
    }
    assertEquals(3, s.degree());
  }

  @ParameterizedTest
  @CsvSource({"INVERSE, 0.01, 1000", "INVERSE, 0.5, 3", "INVERSE_SQRT, 0.001, 100", "INVERSE_SQRT, 0.2, 40"})
  void newtonMeetsItsToleranceOverTheRange(NewtonKind kind, double lo, double hi) {
    NewtonApproximation a = ApproximationFitter.fitNewton(kind, lo, hi, 3, 1e-5);
    assertTrue(a.maxRelError() <= 1e-5);
    // independent check on points not in the fitter's grid
    for (int i = 0; i <= 997; i++) {
      double x = lo * Math.pow(hi / lo, i / 997.0);
      assertEquals(kind.exact(x), a.evaluate(x), 1e-5 * kind.exact(x), () -> "x=" + x);
    }
    // one iteration fewer is not enough (the count is minimal)
    if (a.iterations() > 0) {
      NewtonApproximation fewer = new NewtonApproximation(kind, lo, hi, a.guess(), a.iterations() - 1, 0);
      assertTrue(ApproximationFitter.maxRelativeError(fewer, ApproximationFitter.grid(lo, hi)) > 1e-5);
    }
  }

  @Test
  void wideRangesNeedMoreIterations() {
    int narrow = ApproximationFitter.fitNewton(NewtonKind.INVERSE, 1, 4, 3, 1e-5).iterations();
    int wide = ApproximationFitter.fitNewton(NewtonKind.INVERSE, 0.01, 1e4, 3, 1e-5).iterations();
    assertTrue(wide > narrow, wide + " vs " + narrow);
  }

  @ParameterizedTest
  @CsvSource({"INVERSE, 0.1, 40", "INVERSE, 0.1, 1000", "INVERSE, 0.01, 1.44e6", "INVERSE_SQRT, 0.15, 60", "INVERSE_SQRT, 0.151, 724"})
  void minDepthFitBeatsTheDegree3FitAndIsMinimal(NewtonKind kind, double lo, double hi) {
    NewtonApproximation a = ApproximationFitter.fitNewtonMinDepth(kind, lo, hi, 255, 1e-5);
    assertTrue(a.maxRelError() <= 1e-5);
    for (int i = 0; i <= 997; i++) {
      double x = lo * Math.pow(hi / lo, i / 997.0);
      assertEquals(kind.exact(x), a.evaluate(x), 1e-5 * kind.exact(x), () -> "x=" + x);
    }
    NewtonApproximation cubic = ApproximationFitter.fitNewton(kind, lo, hi, 3, 1e-5);
    assertTrue(a.encryptedDepth() < cubic.encryptedDepth(), a.encryptedDepth() + " vs " + cubic.encryptedDepth());
    // no guess degree 2^k - 1 <= 255 with its fewest iterations is shallower
    for (int k = 1; k <= 8; k++) {
      NewtonApproximation f;
      try {
        f = ApproximationFitter.fitNewton(kind, lo, hi, (1 << k) - 1, 1e-5);
      } catch (IllegalArgumentException e) {
        continue; // no positive guess of that degree, or no convergence
      }
      if (f.guess().degree() == (1 << k) - 1) {
        assertTrue(f.encryptedDepth() >= a.encryptedDepth(), "degree " + f.guess().degree());
      }
    }
    // the degree is the lowest of its depth that reaches the tolerance with that many iterations
    int lower = a.guess().degree() - 1;
    if (ChebyshevSeries.depthOfDegree(lower) == a.guess().encryptedDepth()) {
      NewtonApproximation f = ApproximationFitter.fitNewton(kind, lo, hi, lower, 1e-5);
      assertTrue(f.guess().degree() != lower || f.iterations() > a.iterations());
    }
  }

  @Test
  void minDepthFitsOfKnownRanges() {
    // figures of training/approx.py fit_newton_min_depth on the same ranges
    NewtonApproximation inv = ApproximationFitter.fitNewtonMinDepth(NewtonKind.INVERSE, 0.1, 40, 255, 1e-5);
    assertEquals(121, inv.guess().degree());
    assertEquals(0, inv.iterations());
    assertEquals(7, inv.encryptedDepth());
    NewtonApproximation wide = ApproximationFitter.fitNewtonMinDepth(NewtonKind.INVERSE, 0.01, 1.44e6, 255, 1e-5);
    assertEquals(224, wide.guess().degree());
    assertEquals(14, wide.iterations());
    assertEquals(36, wide.encryptedDepth());
    NewtonApproximation sq = ApproximationFitter.fitNewtonMinDepth(NewtonKind.INVERSE_SQRT, 0.151, 724, 255, 1e-5);
    assertEquals(188, sq.guess().degree());
    assertEquals(1, sq.iterations());
    assertEquals(10, sq.encryptedDepth());
  }

  @Test
  void depthOfDegree() {
    assertEquals(0, ChebyshevSeries.depthOfDegree(0));
    assertEquals(1, ChebyshevSeries.depthOfDegree(1));
    assertEquals(2, ChebyshevSeries.depthOfDegree(2));
    assertEquals(2, ChebyshevSeries.depthOfDegree(3));
    assertEquals(3, ChebyshevSeries.depthOfDegree(4));
    assertEquals(5, ChebyshevSeries.depthOfDegree(31));
    assertEquals(6, ChebyshevSeries.depthOfDegree(32));
    assertEquals(8, ChebyshevSeries.depthOfDegree(255));
    NewtonApproximation cubic = ApproximationFitter.fitNewton(NewtonKind.INVERSE, 0.01, 1.44e6, 3, 1e-5);
    assertEquals(2 + 2 * cubic.iterations(), cubic.encryptedDepth());
  }

  @Test
  void activationMeetsItsTolerance() {
    ChebyshevApproximation a = ApproximationFitter.fitActivation(-8, 8, 1e-3);
    assertTrue(a.maxAbsError() <= 1e-3);
    for (double x = -8; x <= 8; x += 0.01) {
      assertEquals(Gelu.tanhForm(x), a.evaluate(x), 1e-3);
    }
    ChebyshevApproximation lower = new ChebyshevApproximation(
        ChebyshevSeries.interpolate(Gelu::tanhForm, -8, 8, a.series().degree() - 1), 0);
    assertTrue(ApproximationFitter.maxAbsoluteError(lower::evaluate, Gelu::tanhForm, ApproximationFitter.grid(-8, 8)) > 1e-3);
  }

  @Test
  void rejectsInvalidRanges() {
    assertThrows(IllegalArgumentException.class, () -> ApproximationFitter.fitNewton(NewtonKind.INVERSE, 0, 1, 3, 1e-5));
    assertThrows(IllegalArgumentException.class, () -> ApproximationFitter.fitNewton(NewtonKind.INVERSE, 2, 1, 3, 1e-5));
    assertThrows(IllegalArgumentException.class, () -> new ChebyshevSeries(1, 1, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> new ChebyshevSeries(0, 1, new double[0]));
    assertThrows(IllegalArgumentException.class, () -> new ChebyshevSeries(0, 1, new double[] {Double.NaN}));
  }

  @Test
  void geluMatchesKnownValues() {
    assertEquals(0, Gelu.tanhForm(0), 0);
    assertEquals(0.8411919906082768, Gelu.tanhForm(1), 1e-15); // torch gelu(1.0, approximate='tanh') in float64
    assertEquals(-0.15880800939172324, Gelu.tanhForm(-1), 1e-15);
  }
}
