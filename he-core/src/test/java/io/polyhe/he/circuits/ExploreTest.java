package io.polyhe.he.circuits;

import io.polyhe.he.rlwe.Ciphertext;
import org.junit.jupiter.api.Test;

class ExploreTest {
  static double[] geo(double lo, double hi, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = lo * Math.pow(hi / lo, (double) i / (n - 1));
    }
    x[n - 1] = hi;
    return x;
  }

  @Test
  void explore() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L20, new int[0]);
    double[][] ranges = {{0.5, 2, 0x1p-20}, {0.1, 10, 0x1p-16}, {0.01, 100, 0x1p-12}, {1e-3, 1e3, 0x1p-10}};
    for (double[] r : ranges) {
      long t0 = System.nanoTime();
      InverseCircuit inv = InverseCircuit.of(f.params(), r[0], r[1], r[2]);
      long t1 = System.nanoTime();
      int level = f.params().maxLevel();
      double[] x = geo(r[0], r[1], 1024);
      Ciphertext in = f.encrypt(x, level, inv.preferredInputScale(level));
      DepthSimulator sim = new DepthSimulator(f.params());
      SimulatedCiphertext s = inv.simulate(sim, CircuitFixture.twin(in));
      Ciphertext out = inv.evaluate(f.ar(), in);
      long t2 = System.nanoTime();
      double[] y = f.decrypt(out);
      double err = 0;
      for (int i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(y[i] * x[i] - 1));
      }
      System.out.printf("INV %s depth=%d err=%.3g out=%s sim=%s build=%.2fs eval=%.2fs %s%n", inv.plan(), inv.depth(), err, out, s,
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, sim.counts());
    }
    for (double[] r : ranges) {
      if (r[0] < 0.005) continue;
      long t0 = System.nanoTime();
      InverseSqrtCircuit inv = InverseSqrtCircuit.of(f.params(), r[0], r[1], r[2]);
      long t1 = System.nanoTime();
      int level = f.params().maxLevel();
      double[] x = geo(r[0], r[1], 1024);
      Ciphertext in = f.encrypt(x, level, inv.preferredInputScale(level));
      DepthSimulator sim = new DepthSimulator(f.params());
      SimulatedCiphertext s = inv.simulate(sim, CircuitFixture.twin(in));
      Ciphertext out = inv.evaluate(f.ar(), in);
      long t2 = System.nanoTime();
      double[] y = f.decrypt(out);
      double err = 0;
      for (int i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(y[i] * Math.sqrt(x[i]) - 1));
      }
      System.out.printf("ISQRT %s depth=%d err=%.3g out=%s sim=%s build=%.2fs eval=%.2fs%n", inv.plan(), inv.depth(), err, out, s,
          (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
  }
}
