package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.Ciphertext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 1/√x over whole stated ranges (ends included) against doubles; the bounds are the javadoc table
 * of {@link InverseSqrtCircuit}.
 */
class InverseSqrtCircuitTest {

  @ParameterizedTest(name = "[{0}, {1}] target 2^-{2} on {6}")
  @CsvSource({
      "0.5,  2,   20, 4, 4,  1e-6, N11_L20",
      "0.1,  10,  16, 6, 6,  1e-5, N11_L20",
      "0.01, 100, 12, 8, 10, 1e-4, N11_L20",
      "0.5,  2,   16, 4, 4,  1e-4, N10_L6",
      "0.1,  10,  10, 5, 5,  1e-3, N10_L6",
  })
  void errorTableHolds(double lo, double hi, int targetBits, int polyDepth, int depth, double bound,
      CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    InverseSqrtCircuit c = InverseSqrtCircuit.of(f.params(), lo, hi, Math.scalb(1.0, -targetBits));
    assertEquals(polyDepth, c.plan().polynomialDepth(), c.toString());
    assertEquals(depth, c.depth(), c.toString());
    int top = f.params().maxLevel();
    double err = InverseCircuitTest.run(f, c, InverseCircuitTest.geometric(lo, hi, Math.min(1024, f.params().slots())),
        c.preferredInputScale(top), depth, x -> 1 / Math.sqrt(x));
    System.out.printf("inverse sqrt %s on %s: max relative error %.3g (bound %.0e)%n", c, p, err, bound);
    assertTrue(err <= bound, c + ": error " + err + " above " + bound);
  }

  @Test
  void newtonStepsFollowTheirRecurrence() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L20, new int[0]);
    // A deliberately poor guess (degree 3 on [0.01, 100]) and three Newton steps.
    InverseSqrtCircuit c = InverseSqrtCircuit.of(f.params(), 0.1, 10, 2, 3);
    assertEquals(8, c.depth());
    double u0 = c.plan().initialError();
    assertTrue(u0 > 1e-2, "poor guess " + u0);
    int top = f.params().maxLevel();
    double scale = f.params().defaultScale();
    assertEquals(9, c.depth(top, scale));
    double err = InverseCircuitTest.run(f, c, InverseCircuitTest.geometric(0.1, 10, 256), scale, 9,
        x -> 1 / Math.sqrt(x));
    assertTrue(err <= Math.max(2 * c.plan().predictedError(), 1e-6), err + " vs " + c.plan());
  }

  @Test
  void badInputIsRejectedWithTheLevelsNeeded() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6, new int[0]);
    assertThrows(IllegalArgumentException.class, () -> InverseSqrtCircuit.of(f.params(), -1, 1, 1e-3));
    assertThrows(IllegalArgumentException.class, () -> InverseSqrtCircuit.of(f.params(), 1, 2, 1.5));
    assertThrows(IllegalArgumentException.class, () -> InverseSqrtCircuit.of(f.params(), 1, 2, 9, 1));
    InverseSqrtCircuit c = InverseSqrtCircuit.of(f.params(), 0.5, 2, 0x1p-16);
    Ciphertext low = f.encrypt(new double[] {1}, c.depth() - 1, c.preferredInputScale(c.depth() - 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.evaluate(f.ar(), low));
    assertTrue(e.getMessage().contains("needs " + c.depth() + " level"), e.getMessage());
  }
}
