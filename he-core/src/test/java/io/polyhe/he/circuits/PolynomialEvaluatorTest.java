package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.Ciphertext;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Encrypted polynomial evaluation against the same polynomial in doubles (Clenshaw).
 *
 * <p>Bounds: the power basis at scale ≈ q carries about {@code 2^-28} (N = 2^11, 40-bit primes)
 * or {@code 2^-24} (N = 2^10, 36-bit primes) absolute error, amplified by the coefficient mass
 * {@code Σ|c_k|}; the tests assert {@code 2^-20·max(1, Σ|c_k|)} and {@code 2^-16·max(1, Σ|c_k|)}
 * respectively, with room for the growth of T_k's error with k.
 */
class PolynomialEvaluatorTest {

  static double gelu(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }

  /** erf to about 1e-15 (series below 3, continued fraction above), for references. */
  static double erf(double x) {
    double t = Math.abs(x);
    double r;
    if (t < 3) {
      double sum = t;
      double term = t;
      for (int n = 1; n < 200; n++) {
        term *= -t * t / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17) {
          break;
        }
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      double f = 0;
      for (int k = 60; k >= 1; k--) {
        f = k / 2.0 / (t + f);
      }
      r = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
    }
    return x < 0 ? -r : r;
  }

  static double[] grid(double a, double b, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = a + (b - a) * i / (n - 1);
    }
    x[n - 1] = b;
    return x;
  }

  static double bound(CircuitFixture.Params p, ChebyshevPolynomial poly) {
    double unit = p == CircuitFixture.Params.N10_L6 ? 0x1p-16 : 0x1p-20;
    return unit * Math.max(1, poly.coefficientL1());
  }

  /** Evaluates, checks value, level, scale and the dry run; returns the max error. */
  static double check(CircuitFixture f, CircuitFixture.Params p, PolynomialEvaluator pe, Ciphertext in, double[] x) {
    DepthSimulator sim = new DepthSimulator(f.params());
    SimulatedCiphertext predicted = pe.simulate(sim, CircuitFixture.twin(in));
    Ciphertext out = pe.evaluate(f.ar(), in);
    assertEquals(in.level() - pe.depth(in.level(), in.scale()), out.level(), "output level");
    assertEquals(predicted, CircuitFixture.twin(out), "dry run = real run");
    assertEquals(f.params().defaultScale(), out.scale(), 1e-9 * out.scale(), "output at the target scale");
    assertArrayEquals(new int[0], sim.galoisElementsUsed());
    assertEquals(pe.ciphertextProducts(), sim.counts().ciphertextProducts());
    double[] y = f.decrypt(out);
    ChebyshevPolynomial poly = pe.polynomials().get(0);
    double err = 0;
    for (int i = 0; i < x.length; i++) {
      err = Math.max(err, Math.abs(y[i] - poly.value(x[i])));
    }
    assertTrue(err <= bound(p, poly), pe + ": error " + err + " above " + bound(p, poly));
    return err;
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void geluAndOddAndEvenFunctionsAtMinimalDepth(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    int top = f.params().maxLevel();
    Object[][] cases = {
        {(DoubleUnaryOperator) PolynomialEvaluatorTest::gelu, -8.0, 8.0, 15, 4},
        {(DoubleUnaryOperator) Math::sin, -Math.PI, Math.PI, 31, 5},
        {(DoubleUnaryOperator) x -> Math.exp(-x * x), -2.0, 2.0, 16, 5},
        {(DoubleUnaryOperator) Math::exp, 0.0, 1.0, 7, 3},
    };
    for (Object[] c : cases) {
      var fit = ChebyshevApproximation.fit((DoubleUnaryOperator) c[0], (double) c[1], (double) c[2], (int) c[3]);
      PolynomialEvaluator pe = PolynomialEvaluator.of(f.params(), fit.polynomial());
      assertEquals((int) c[4], pe.depth(), "depth ceil(log2(d+1)) for degree " + c[3]);
      double[] x = grid((double) c[1], (double) c[2], 512);
      Ciphertext in = f.encrypt(x, top, pe.preferredInputScale(top));
      check(f, p, pe, in, x);
      if (fit.polynomial().isOdd()) {
        for (int i : pe.basisIndices()) {
          assertTrue(i % 2 == 1 || Integer.bitCount(i) == 1, "odd polynomial computes T_" + i);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void inputAtTheDefaultScaleCostsOneLevelOnWideIntervals(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    var fit = ChebyshevApproximation.fit(PolynomialEvaluatorTest::gelu, -8, 8, 15);
    PolynomialEvaluator pe = PolynomialEvaluator.of(f.params(), fit.polynomial());
    int top = f.params().maxLevel();
    double[] x = grid(-8, 8, 256);
    Ciphertext in = f.encrypt(x, top, f.params().defaultScale());
    assertEquals(pe.depth() + 1, pe.depth(top, in.scale()));
    check(f, p, pe, in, x);
    // On [-1, 1] the default scale is (within a factor 2 of) the preferred one: minimal depth.
    var unit = ChebyshevApproximation.fit(Math::tanh, -1, 1, 15);
    PolynomialEvaluator pu = PolynomialEvaluator.of(f.params(), unit.polynomial());
    assertEquals(pu.depth(), pu.depth(top, f.params().defaultScale()));
    double[] u = grid(-1, 1, 256);
    check(f, p, pu, f.encrypt(u, top, f.params().defaultScale()), u);
  }

  @Test
  void depthIsMinimalForEveryDegree() {
    var params = CircuitFixture.Params.N11_L12.params;
    DepthSimulator sim = new DepthSimulator(params);
    for (int d = 1; d <= 300; d++) {
      double[] c = new double[d + 1];
      for (int i = 0; i <= d; i++) {
        c[i] = 1.0 / (i + 1);
      }
      PolynomialEvaluator pe = PolynomialEvaluator.of(params, new ChebyshevPolynomial(-1, 1, c));
      int m = 32 - Integer.numberOfLeadingZeros(d);
      assertEquals(m, pe.depth(), "degree " + d);
      if (d <= 2 * params.maxLevel() && m <= params.maxLevel()) {
        int top = params.maxLevel();
        SimulatedCiphertext out = pe.simulate(sim, sim.fresh(top, pe.preferredInputScale(top)));
        assertEquals(top - m, out.level(), "degree " + d);
        assertEquals(params.defaultScale(), out.scale(), 1e-9 * out.scale());
      }
    }
  }

  @Test
  void severalPolynomialsShareOneBasisAndLandOnTheirOwnScales() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L12, new int[0]);
    var sin = ChebyshevApproximation.fit(Math::sin, -2, 2, 15).polynomial();
    var cos = ChebyshevApproximation.fit(Math::cos, -2, 2, 14).polynomial();
    PolynomialEvaluator pe = new PolynomialEvaluator(f.params(), sin, cos);
    int top = f.params().maxLevel();
    double[] x = grid(-2, 2, 256);
    Ciphertext in = f.encrypt(x, top, pe.preferredInputScale(top));
    double[] scales = {0x1p35, 0x1p42};
    List<Ciphertext> out = pe.applyAll(f.ar(), in, scales);
    List<SimulatedCiphertext> sim = pe.applyAll(new DepthSimulator(f.params()), CircuitFixture.twin(in), scales);
    for (int j = 0; j < 2; j++) {
      assertEquals(scales[j], out.get(j).scale(), 1e-9 * scales[j]);
      assertEquals(sim.get(j), CircuitFixture.twin(out.get(j)));
      assertEquals(top - 4, out.get(j).level());
      double[] y = f.decrypt(out.get(j));
      ChebyshevPolynomial poly = j == 0 ? sin : cos;
      for (int i = 0; i < x.length; i++) {
        assertEquals(poly.value(x[i]), y[i], 1e-5, "x = " + x[i]);
      }
    }
  }

  @Test
  void badInputIsRejectedWithTheLevelsNeeded() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6, new int[0]);
    var p = ChebyshevApproximation.fit(PolynomialEvaluatorTest::gelu, -8, 8, 15).polynomial();
    PolynomialEvaluator pe = PolynomialEvaluator.of(f.params(), p);
    Ciphertext low = f.encrypt(new double[] {1}, 3, pe.preferredInputScale(3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pe.evaluate(f.ar(), low));
    assertTrue(e.getMessage().contains("needs 4 levels") && e.getMessage().contains("level 3"), e.getMessage());
    DepthSimulator sim = new DepthSimulator(f.params());
    e = assertThrows(IllegalArgumentException.class, () -> pe.simulate(sim, CircuitFixture.twin(low)));
    assertTrue(e.getMessage().contains("needs 4 levels"), e.getMessage());
    // Default-scale input on [-8, 8] needs one level more, and says so.
    Ciphertext four = f.encrypt(new double[] {1}, 4, f.params().defaultScale());
    e = assertThrows(IllegalArgumentException.class, () -> pe.evaluate(f.ar(), four));
    assertTrue(e.getMessage().contains("needs 5 levels"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> PolynomialEvaluator.of(f.params(), new ChebyshevPolynomial(-1, 1, new double[] {3})));
    assertThrows(IllegalArgumentException.class, () -> new PolynomialEvaluator(f.params(),
        new ChebyshevPolynomial(-1, 1, new double[] {0, 1}), new ChebyshevPolynomial(-2, 2, new double[] {0, 1})));
    PolynomialEvaluator other = PolynomialEvaluator.of(CircuitFixture.Params.N11_L12.params, p);
    assertThrows(IllegalArgumentException.class, () -> other.evaluate(f.ar(), low));
    assertThrows(IllegalArgumentException.class,
        () -> pe.applyAll(f.ar(), low, new double[] {1e10, 1e10}));
  }
}
