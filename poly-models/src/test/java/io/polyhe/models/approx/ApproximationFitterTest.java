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
