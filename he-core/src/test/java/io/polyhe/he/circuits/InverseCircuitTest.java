package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.Ciphertext;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 1/x over whole stated ranges (ends included) against doubles; the bounds are the javadoc table
 * of {@link InverseCircuit}.
 */
class InverseCircuitTest {

  /** 1024 points spread geometrically over [lo, hi], both ends exact. */
  static double[] geometric(double lo, double hi, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = lo * Math.pow(hi / lo, (double) i / (n - 1));
    }
    x[0] = lo;
    x[n - 1] = hi;
    return x;
  }

  /** Runs {@code c} on x at {@code scale}, checks level, scale and dry run; returns max |y/f - 1|. */
  static double run(CircuitFixture f, UnaryCircuit c, double[] x, double scale, int expectedDepth,
      DoubleUnaryOperator exact) {
    int top = f.params().maxLevel();
    Ciphertext in = f.encrypt(x, top, scale);
    SimulatedCiphertext predicted = c.simulate(new DepthSimulator(f.params()), CircuitFixture.twin(in));
    Ciphertext out = c.evaluate(f.ar(), in);
    assertEquals(top - expectedDepth, out.level(), c + ": output level");
    assertEquals(predicted, CircuitFixture.twin(out), c + ": dry run = real run");
    assertEquals(f.params().defaultScale(), out.scale(), 1e-9 * out.scale());
    double[] y = f.decrypt(out);
    double err = 0;
    for (int i = 0; i < x.length; i++) {
      err = Math.max(err, Math.abs(y[i] / exact.applyAsDouble(x[i]) - 1));
    }
    return err;
  }

  @ParameterizedTest(name = "[{0}, {1}] target 2^-{2} on {6}")
  @CsvSource({
      "0.5,   2,    20, 3,  4,  2e-6, N11_L20",
      "0.1,   10,   16, 6,  6,  1e-5, N11_L20",
      "0.01,  100,  12, 9,  9,  2e-4, N11_L20",
      "0.001, 1000, 10, 10, 14, 1e-3, N11_L20",
      "0.5,   2,    16, 3,  4,  1e-4, N10_L6",
      "0.1,   10,   12, 4,  6,  1e-3, N10_L6",
  })
  void errorTableHolds(double lo, double hi, int targetBits, int polyDepth, int depth, double bound,
      CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    InverseCircuit inv = InverseCircuit.of(f.params(), lo, hi, Math.scalb(1.0, -targetBits));
    assertEquals(polyDepth, inv.plan().polynomialDepth(), inv.toString());
    assertEquals(depth, inv.depth(), inv.toString());
    int top = f.params().maxLevel();
    double[] x = geometric(lo, hi, Math.min(1024, f.params().slots()));
    double err = run(f, inv, x, inv.preferredInputScale(top), depth, t -> 1 / t);
    System.out.printf("inverse %s on %s: max relative error %.3g (bound %.0e)%n", inv, p, err, bound);
    assertTrue(err <= bound, inv + ": error " + err + " above " + bound);
  }

  @Test
  void anInputAtTheDefaultScaleCostsOneMoreLevelAndKeepsMorePrecision() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L20, new int[0]);
    InverseCircuit inv = InverseCircuit.of(f.params(), 0.1, 10, 0x1p-16);
    int top = f.params().maxLevel();
    double scale = f.params().defaultScale();
    assertEquals(inv.depth() + 1, inv.depth(top, scale));
    double err = run(f, inv, geometric(0.1, 10, 256), scale, inv.depth() + 1, x -> 1 / x);
    assertTrue(err <= 1e-5, "error " + err);
    // Below the noise floor (about 2^-26 times hi) no plan exists, and the error says so.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InverseCircuit.plan(0.1, 10, 0x1p-30));
    assertTrue(e.getMessage().contains("no inverse circuit"), e.getMessage());
  }

  @Test
  void depthGrowsWithTheRangeAndThePrecision() {
    int previous = 0;
    for (double hi : new double[] {2, 10, 100, 1e3}) {
      int d = InverseCircuit.plan(1 / hi, hi, 0x1p-12).depth();
      assertTrue(d >= previous, "range ratio " + hi * hi);
      previous = d;
    }
    previous = 0;
    for (int bits = 4; bits <= 20; bits += 4) {
      int d = InverseCircuit.plan(0.1, 10, Math.scalb(1.0, -bits)).depth();
      assertTrue(d >= previous, bits + " bits");
      previous = d;
    }
    // The optimal residual: the predicted error is what the polynomials really achieve.
    for (int a = 2; a <= 8; a++) {
      ChebyshevPolynomial[] ye = InverseCircuit.initialGuess(0.1, 10, a);
      double e0 = InverseCircuit.initialError(0.1, 10, a);
      for (double x : geometric(0.1, 10, 200)) {
        assertEquals(1 - x * ye[0].value(x), ye[1].value(x), 1e-9);
        assertTrue(Math.abs(ye[1].value(x)) <= e0 * (1 + 1e-9) + 1e-12);
      }
    }
  }

  @Test
  void badInputIsRejectedWithTheLevelsNeeded() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6, new int[0]);
    assertThrows(IllegalArgumentException.class, () -> InverseCircuit.of(f.params(), 0, 1, 1e-3));
    assertThrows(IllegalArgumentException.class, () -> InverseCircuit.of(f.params(), 2, 1, 1e-3));
    assertThrows(IllegalArgumentException.class, () -> InverseCircuit.of(f.params(), 1, 2, 0));
    assertThrows(IllegalArgumentException.class, () -> InverseCircuit.of(f.params(), 1e-9, 1e9, 1e-15));
    assertThrows(IllegalArgumentException.class, () -> new InverseCircuit.Plan(1, 0, 0, 0));
    InverseCircuit inv = InverseCircuit.of(f.params(), 0.1, 10, 0x1p-12);
    Ciphertext low = f.encrypt(new double[] {1}, inv.depth() - 1, inv.preferredInputScale(inv.depth() - 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inv.evaluate(f.ar(), low));
    assertTrue(e.getMessage().contains("needs " + inv.depth() + " levels"), e.getMessage());
  }
}
