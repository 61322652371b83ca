package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CiphertextOps} on ciphertexts against the same steps in doubles, each also run on a {@link
 * DepthSimulator} (dry run = real run: level, scale, size). Values in [-1, 1].
 *
 * <p>Bounds (max abs error per slot): {@code 2^-20} at scale 2^40 (N11_L12) and {@code 2^-14} at
 * scale 2^36 (N10_L6) for one product, mask, aligned add or sum of 5 terms; {@code p} times that
 * for {@code x^p} (each of its products adds about one rescale's rounding, relative to values of at
 * most 1); 32 times that for a mask on an unrelinearised product, whose factors must sit at low
 * scales (see the test).
 */
class CiphertextOpsTest {

  static double bound(CircuitFixture.Params p) {
    return CiphertextMatricesTest.bound(p);
  }

  private static double[] random(CircuitFixture f, long seed) {
    return HeTestSupport.randomValues(new SplittableRandom(seed), f.params().slots(), 1);
  }

  private static void check(CircuitFixture.Params p, String what, double[] expected, CircuitFixture f,
      Ciphertext out, SimulatedCiphertext predicted, double bound) {
    assertEquals(predicted, CircuitFixture.twin(out), what + ": dry run = real run");
    double err = HeTestSupport.maxError(expected, f.decrypt(out));
    assertTrue(err <= bound, what + " on " + p + ": error " + err + " > " + bound);
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void multiplyRunsAtTheLowerLevel(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    DepthSimulator sim = new DepthSimulator(f.params());
    double[] a = random(f, 1);
    double[] b = random(f, 2);
    int top = f.params().maxLevel();
    Ciphertext ca = f.encrypt(a);
    Ciphertext cb = f.encrypt(b, top - 2, f.params().defaultScale());
    Ciphertext prod = CiphertextOps.multiply(f.ar(), ca, cb);
    double[] expected = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      expected[i] = a[i] * b[i];
    }
    check(p, "a·b", expected, f, prod,
        CiphertextOps.multiply(sim, CircuitFixture.twin(ca), CircuitFixture.twin(cb)), bound(p));
    assertEquals(top - 3, prod.level());
    assertEquals(2, prod.size());
    assertEquals(ca.scale() * cb.scale() / f.params().rlwe().q(top - 2), prod.scale(), 1e-9 * prod.scale());
    Ciphertext bottom = f.encrypt(b, 0, f.params().defaultScale());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CiphertextOps.multiply(f.ar(), ca, bottom));
    assertTrue(e.getMessage().contains("needs 1 level"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void maskLandsExactlyOnTheTarget(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    DepthSimulator sim = new DepthSimulator(f.params());
    double[] v = random(f, 3);
    double[] w = random(f, 4);
    double[] m = new double[v.length];
    double[] expected = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      m[i] = i % 3 == 0 ? 0 : 0.5 * (i % 5); // zeros and factors up to 2
      expected[i] = v[i] * w[i] * m[i];
    }
    // A 3-part product in (relinearised first): the mask is encoded at target·q/scale(v·w), which
    // must stay high for the mask's own rounding to stay small (2^26 here), so v and w are
    // encrypted at sqrt(target·q/2^26) (2^26 on N11_L12, 2^22 on N10_L6) and carry that much more
    // fresh noise: bound 32x.
    double target = f.params().defaultScale() / 4;
    double low = Math.sqrt(target * f.params().rlwe().q(f.params().maxLevel()) / 0x1p26);
    Ciphertext lv = f.encrypt(v, f.params().maxLevel(), low);
    Ciphertext lw = f.encrypt(w, f.params().maxLevel(), low);
    Ciphertext unrelinearised = f.ar().mul(lv, lw);
    PlainVector mask = new PlainVector(m);
    Ciphertext out = CiphertextOps.maskTo(f.ar(), unrelinearised, mask, target);
    SimulatedCiphertext twin = sim.mul(CircuitFixture.twin(lv), CircuitFixture.twin(lw));
    check(p, "v·w ⊙ mask", expected, f, out, CiphertextOps.maskTo(sim, twin, mask, target), 32 * bound(p));
    assertEquals(target, out.scale(), "lands exactly on the target");
    assertEquals(2, out.size());
    assertEquals(f.params().maxLevel() - 1, out.level());

    // A 2-part value (left as is) at the default scale.
    Ciphertext cv = f.encrypt(v);
    double[] plainMasked = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      plainMasked[i] = v[i] * m[i];
    }
    Ciphertext masked = CiphertextOps.maskTo(f.ar(), cv, mask, f.params().defaultScale());
    check(p, "v ⊙ mask", plainMasked, f, masked,
        CiphertextOps.maskTo(sim, CircuitFixture.twin(cv), mask, f.params().defaultScale()), bound(p));
    Ciphertext bottom = f.encrypt(v, 0, f.params().defaultScale());
    assertThrows(IllegalArgumentException.class, () -> CiphertextOps.maskTo(f.ar(), bottom, mask, target));
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void alignedAddTakesTheLowerLevelAndTheFirstScale(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    DepthSimulator sim = new DepthSimulator(f.params());
    double[] a = random(f, 5);
    double[] b = random(f, 6);
    double scale = f.params().defaultScale();
    int top = f.params().maxLevel();
    Ciphertext ca = f.encrypt(a, top, scale);
    // b's scale differs from a's by rounding only (as after another path to the same scale).
    Ciphertext cb = f.encrypt(b, top - 1, scale * (1 + 1e-12));
    double[] expected = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      expected[i] = a[i] + b[i];
    }
    Ciphertext sum = CiphertextOps.addAligned(f.ar(), ca, cb);
    check(p, "a + b", expected, f, sum,
        CiphertextOps.addAligned(sim, CircuitFixture.twin(ca), CircuitFixture.twin(cb)), bound(p));
    assertEquals(top - 1, sum.level());
    assertEquals(scale, sum.scale(), "the first operand's scale");

    Ciphertext far = f.encrypt(b, top, 2 * scale);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CiphertextOps.addAligned(f.ar(), ca, far));
    assertTrue(e.getMessage().contains("differ beyond rounding"), e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> CiphertextOps.addAligned(sim, CircuitFixture.twin(ca), CircuitFixture.twin(far)));
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void sumAddsEveryTermInOrder(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    DepthSimulator sim = new DepthSimulator(f.params());
    List<Ciphertext> terms = new ArrayList<>();
    List<SimulatedCiphertext> twins = new ArrayList<>();
    double[] expected = new double[f.params().slots()];
    for (int t = 0; t < 5; t++) {
      double[] v = random(f, 10 + t);
      for (int i = 0; i < v.length; i++) {
        expected[i] += v[i];
      }
      terms.add(f.encrypt(v));
      twins.add(CircuitFixture.twin(terms.getLast()));
    }
    check(p, "Σ of 5", expected, f, CiphertextOps.sum(f.ar(), terms), CiphertextOps.sum(sim, twins), bound(p));
    Ciphertext[] array = terms.toArray(new Ciphertext[0]);
    check(p, "Σ of 5 (array)", expected, f, CiphertextOps.sum(f.ar(), array), CiphertextOps.sum(sim, twins),
        bound(p));
    assertSame(terms.get(0), CiphertextOps.sum(f.ar(), terms.subList(0, 1)), "one term is itself");
    assertThrows(IllegalArgumentException.class, () -> CiphertextOps.sum(f.ar(), List.of()));
  }

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void powerBySquaringTakesCeilLog2Levels(CircuitFixture.Params p) {
    CircuitFixture f = CircuitFixture.of(p, new int[0]);
    double[] x = random(f, 20);
    Ciphertext cx = f.encrypt(x);
    int top = f.params().maxLevel();
    for (int power : new int[] {1, 2, 3, 4, 5, 6, 7, 8}) {
      if (CiphertextOps.powerDepth(power) > top) {
        continue; // N10_L6 has 6 levels: every power here needs at most 3
      }
      DepthSimulator sim = new DepthSimulator(f.params());
      Ciphertext out = CiphertextOps.power(f.ar(), cx, power);
      double[] expected = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        expected[i] = Math.pow(x[i], power);
      }
      check(p, "x^" + power, expected, f, out, CiphertextOps.power(sim, CircuitFixture.twin(cx), power),
          power * bound(p));
      assertEquals(top - CiphertextOps.powerDepth(power), out.level(), "x^" + power + " level");
    }
    assertSame(cx, CiphertextOps.power(f.ar(), cx, 1));
    Ciphertext low = f.encrypt(x, 2, f.params().defaultScale());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CiphertextOps.power(f.ar(), low, 5));
    assertTrue(e.getMessage().contains("needs 3 levels"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CiphertextOps.power(f.ar(), cx, 0));
  }

  @Test
  void powerDepthIsCeilLog2() {
    int[] depths = {0, 1, 2, 2, 3, 3, 3, 3, 4};
    for (int p = 1; p <= depths.length; p++) {
      assertEquals(depths[p - 1], CiphertextOps.powerDepth(p), "p = " + p);
    }
    assertEquals(10, CiphertextOps.powerDepth(1024));
    assertEquals(11, CiphertextOps.powerDepth(1025));
    assertThrows(IllegalArgumentException.class, () -> CiphertextOps.powerDepth(0));
  }
}
