package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A slice of a transformer block on the secure N = 2^14 preset (6 levels): a block linear layer
 * with bias lands at the polynomial's preferred scale, GELU (degree 15) follows, and an inverse
 * square root runs on its own range. Bounds as in the per-circuit tests for scale 2^40, widened by
 * 4 for the larger ring.
 */
class SecurePresetTest {

  @Test
  void linearLayerThenGeluThenInverseSqrtOnN14() {
    CircuitFixture.Params p = CircuitFixture.Params.N14;
    int slots = p.params.slots();
    SplittableRandom r = new SplittableRandom(9);
    int d = 32;
    int rows = 16;
    double[][] w = new double[d][];
    for (int i = 0; i < d; i++) {
      w[i] = HeTestSupport.randomValues(r, d, 0.5);
    }
    double[] bias = HeTestSupport.randomValues(r, d, 0.5);
    var gelu = ChebyshevApproximation.fit(PolynomialEvaluatorTest::gelu, -8, 8, 15).polynomial();
    PolynomialEvaluator pe = PolynomialEvaluator.of(p.params, gelu);
    int top = p.params.maxLevel();
    // The linear layer's output feeds the polynomial at exactly its preferred scale.
    LinearTransform lt = LinearTransform.of(p.params, BlockMatrix.blockDiagonal(w, rows, d), bias)
        .withTargetScale(pe.preferredInputScale(top - 1));
    CircuitFixture f = CircuitFixture.of(p, lt.galoisElements());
    double[] x = HeTestSupport.randomValues(r, rows * d, 1);
    Ciphertext in = f.encrypt(x);
    DepthSimulator sim = new DepthSimulator(p.params);
    SimulatedCiphertext simOut = pe.simulate(sim, lt.simulate(sim, CircuitFixture.twin(in)));
    Ciphertext h = lt.evaluate(f.ar(), in);
    Ciphertext out = pe.evaluate(f.ar(), h);
    assertEquals(simOut, CircuitFixture.twin(out));
    assertEquals(top - 1 - pe.depth(), out.level());
    assertArrayEquals(lt.galoisElements(), sim.galoisElementsUsed());
    double[] hPlain = lt.applyPlain(x);
    double[] y = f.decrypt(out);
    double err = 0;
    for (int i = 0; i < rows * d; i++) {
      err = Math.max(err, Math.abs(y[i] - gelu.value(hPlain[i])));
    }
    assertTrue(err <= 4 * 0x1p-20 * gelu.coefficientL1(), "error " + err);

    InverseSqrtCircuit isq = InverseSqrtCircuit.of(p.params, 0.5, 2, 0x1p-16);
    double[] v = InverseCircuitTest.geometric(0.5, 2, 1024);
    double rel = InverseCircuitTest.run(f, isq, v, isq.preferredInputScale(top), isq.depth(),
        t -> 1 / Math.sqrt(t));
    assertTrue(rel <= 1e-5, "inverse sqrt error " + rel);
    assertTrue(Arrays.stream(isq.galoisElements()).count() == 0);
  }
}
