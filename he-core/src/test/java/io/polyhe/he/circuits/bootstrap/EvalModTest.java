package io.polyhe.he.circuits.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.SimulatedCiphertext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** EvalMod on ciphertexts against x − round(x) in doubles, and its dry run. */
class EvalModTest {

  @Test
  void reducesModuloOneWithinTheStatedError() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    BootstrapperTest.Fixture f = BootstrapperTest.fixture(preset, preset.bootstrapParameters());
    CkksParameters params = f.ctx().parameters();
    for (boolean arcSine : new boolean[] {false, true}) {
      EvalMod mod = new EvalMod(params, 64, 6, 31, arcSine);
      assertTrue(mod.fitError() < 1e-13, "fit error " + mod.fitError());
      int slots = params.slots();
      SplittableRandom r = new SplittableRandom(5);
      double[] x = new double[slots];
      double[] expected = new double[slots];
      for (int i = 0; i < slots; i++) {
        double frac = (2 * r.nextDouble() - 1) * 1e-3;
        x[i] = r.nextInt(-60, 61) + frac;
        expected[i] = frac;
      }
      int level = params.maxLevel();
      Ciphertext ct = f.enc().encrypt(f.encoder().encode(x, level, mod.inputScale(level)));
      Ciphertext out = mod.evaluate(new io.polyhe.he.circuits.CiphertextArithmetic(f.ev()), ct);
      assertEquals(level - mod.depth(), out.level());
      double[] got = f.decrypt(out);
      double max = 0;
      for (int i = 0; i < slots; i++) {
        max = Math.max(max, Math.abs(got[i] - expected[i]));
      }
      // Without arcsine the cubic term (2π)²f³/6 ≈ 6.6e-9 dominates; with it, noise (~2^-40·2^r).
      double bound = arcSine ? 1e-9 : 1e-8;
      System.out.printf("EvalMod arcsine=%s: max error %.3g (bound %.0g)%n", arcSine, max, bound);
      assertTrue(max < bound, "max error " + max);
      SimulatedCiphertext sim = mod.simulate(new DepthSimulator(params),
          new SimulatedCiphertext(level, mod.inputScale(level), 2));
      assertEquals(out.level(), sim.level());
      assertEquals(out.scale(), sim.scale(), 1e-9 * out.scale());
    }
  }
}
