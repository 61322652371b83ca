package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.Ciphertext;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class PolynomialEvaluatorTest {

  static double gelu(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }

  /** erf to ~1e-15 (series / continued fraction), enough for references. */
  static double erf(double x) {
    double t = Math.abs(x);
    double r;
    if (t < 3) {
      double sum = t, term = t;
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
      // erfc continued fraction
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
    return x;
  }

  @Test
  void smoke() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L12, new int[0]);
    DoubleUnaryOperator fn = PolynomialEvaluatorTest::gelu;
    for (int d : new int[] {3, 7, 15, 31, 63}) {
      var fit = ChebyshevApproximation.fit(fn, -8, 8, d);
      PolynomialEvaluator pe = PolynomialEvaluator.of(f.params(), fit.polynomial());
      int level = f.params().maxLevel();
      double[] x = grid(-8, 8, 1024);
      Ciphertext in = f.encrypt(x, level, pe.preferredInputScale(level));
      DepthSimulator sim = new DepthSimulator(f.params());
      SimulatedCiphertext s = pe.simulate(sim, CircuitFixture.twin(in));
      Ciphertext out = pe.evaluate(f.ar(), in);
      double[] y = f.decrypt(out);
      double err = 0;
      for (int i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(y[i] - fit.polynomial().value(x[i])));
      }
      System.out.println(pe + " fitErr=" + fit.maxError() + " heErr=" + err + " out=" + out + " sim=" + s + " " + sim.counts());
      assertEquals(level - pe.depth(), out.level());
      assertEquals(s.level(), out.level());
      assertEquals(s.scale(), out.scale());
      assertEquals(f.params().defaultScale(), out.scale(), 1e-9 * out.scale());
    }
  }
}
