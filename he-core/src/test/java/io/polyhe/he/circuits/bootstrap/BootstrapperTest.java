package io.polyhe.he.circuits.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.SimulatedCiphertext;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Bootstrapping on the small insecure presets against the plain values: inputs uniform in [-1, 1]
 * come back with the precision each preset states ({@link #MIN_MEAN_BITS}, {@link #MIN_BITS}).
 */
class BootstrapperTest {
  /** Required −log2 of the mean absolute slot error after one bootstrap (measured: see docs). */
  static final double MIN_MEAN_BITS = 22;
  /** Required −log2 of the largest slot error after one bootstrap. */
  static final double MIN_BITS = 19;

  record Fixture(CkksContext ctx, CkksEncoder encoder, Evaluator ev, SymmetricEncryptor enc, Decryptor dec,
      Bootstrapper boot, SecretKey sk) {
    Ciphertext encryptAtLevel0(double[] values, double scale) {
      return enc.encrypt(encoder.encode(values, 0, scale));
    }

    double[] decrypt(Ciphertext ct) {
      return encoder.decode(dec.decrypt(ct));
    }
  }

  private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

  static Fixture fixture(BootstrapPreset preset, BootstrapParameters bp) {
    return FIXTURES.computeIfAbsent(preset + "/" + bp, k -> {
      CkksParameters params = preset.parameters();
      CkksContext ctx = HeTestSupport.context(params, HeTestSupport.suiteBackend());
      SecretKey sk = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(7)).generateSecretKey();
      EvaluationKeys keys = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(11))
          .generateEvaluationKeys(sk, Bootstrapper.galoisElements(params, bp));
      Evaluator ev = new Evaluator(ctx, keys);
      return new Fixture(ctx, new CkksEncoder(ctx), ev,
          new SymmetricEncryptor(ctx.rlwe(), sk, SeedSource.deterministicForTestsOnly(13)),
          new Decryptor(ctx.rlwe(), sk), new Bootstrapper(ev, bp), sk);
    });
  }

  /** Values uniform in [-1, 1], repeated with period {@code n} over the N/2 slots. */
  static double[] periodicValues(int slots, int n, long seed) {
    double[] base = HeTestSupport.randomValues(new SplittableRandom(seed), n, 1.0);
    double[] v = new double[slots];
    for (int i = 0; i < slots; i++) {
      v[i] = base[i % n];
    }
    return v;
  }

  /** {-log2 mean |error|, -log2 max |error|}. */
  static double[] precisionBits(double[] expected, double[] actual) {
    double sum = 0;
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.abs(expected[i] - actual[i]);
      sum += e;
      max = Math.max(max, e);
    }
    return new double[] {-Math.log(sum / expected.length) / Math.log(2), -Math.log(max) / Math.log(2)};
  }

  @Test
  void fullSlotsMatchInputs() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    Fixture f = fixture(preset, preset.bootstrapParameters());
    int slots = f.ctx().parameters().slots();
    double[] v = periodicValues(slots, slots, 1);
    Ciphertext ct = f.encryptAtLevel0(v, f.boot().inputScale());
    Ciphertext out = f.boot().bootstrap(ct, f.ctx().parameters().defaultScale());
    assertEquals(f.boot().outputLevel(), out.level());
    assertEquals(f.ctx().parameters().defaultScale(), out.scale(), 1e-6 * out.scale());
    double[] bits = precisionBits(v, f.decrypt(out));
    System.out.printf("full slots %s: mean %.1f bits, min %.1f bits, %s%n", preset, bits[0], bits[1], f.boot());
    assertTrue(bits[0] >= MIN_MEAN_BITS && bits[1] >= MIN_BITS, "precision " + bits[0] + " / " + bits[1]);
  }

  @Test
  void sparseSlotsMatchInputs() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    BootstrapParameters bp = preset.bootstrapParameters().withLogSlots(6);
    Fixture f = fixture(preset, bp);
    int slots = f.ctx().parameters().slots();
    double[] v = periodicValues(slots, 64, 2);
    Ciphertext ct = f.encryptAtLevel0(v, f.boot().inputScale());
    Ciphertext out = f.boot().bootstrap(ct, f.ctx().parameters().defaultScale());
    double[] bits = precisionBits(v, f.decrypt(out));
    System.out.printf("64 of %d slots %s: mean %.1f bits, min %.1f bits, %s%n", slots, preset, bits[0], bits[1],
        f.boot());
    assertTrue(bits[0] >= MIN_MEAN_BITS && bits[1] >= MIN_BITS, "precision " + bits[0] + " / " + bits[1]);
  }

  /**
   * Three bootstraps in a row, each input taken from the previous output (above level 0, so the
   * bootstrapper first brings it to level 0): errors add up, about one bootstrap's error each.
   */
  @Test
  void threeBootstrapsInARowStayWithinBounds() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    Fixture f = fixture(preset, preset.bootstrapParameters());
    int slots = f.ctx().parameters().slots();
    double[] v = periodicValues(slots, slots, 3);
    Ciphertext ct = f.enc().encrypt(f.encoder().encode(v));
    double scale = f.ctx().parameters().defaultScale();
    long before = f.boot().stats().refreshes();
    for (int round = 1; round <= 3; round++) {
      ct = f.boot().bootstrap(ct, scale);
      double[] bits = precisionBits(v, f.decrypt(ct));
      System.out.printf("bootstrap %d: mean %.1f bits, min %.1f bits%n", round, bits[0], bits[1]);
      assertTrue(bits[0] >= MIN_MEAN_BITS - 1 && bits[1] >= MIN_BITS - 1,
          "after " + round + " bootstraps: " + bits[0] + " / " + bits[1]);
    }
    assertEquals(3, f.boot().stats().refreshes() - before);
  }

  @Test
  void refreshDropsToTheRequestedLevelAndScale() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    Fixture f = fixture(preset, preset.bootstrapParameters());
    int slots = f.ctx().parameters().slots();
    double[] v = periodicValues(slots, slots, 4);
    double scale = Math.scalb(1.0, 36);
    Ciphertext out = f.boot().refresh(f.enc().encrypt(f.encoder().encode(v)), 1, scale);
    assertEquals(1, out.level());
    assertEquals(scale, out.scale(), 1e-6 * scale);
    assertTrue(precisionBits(v, f.decrypt(out))[0] >= MIN_MEAN_BITS - 2);
    assertThrows(IllegalArgumentException.class,
        () -> f.boot().refresh(out, f.boot().outputLevel() + 1, scale));
  }

  @Test
  void aCopyOnAnotherEvaluatorBootstrapsAlikeAndCountsApart() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    Fixture f = fixture(preset, preset.bootstrapParameters());
    Bootstrapper copy = f.boot().withEvaluator(new Evaluator(f.ctx(), f.ev().keys()));
    assertEquals(f.boot().outputLevel(), copy.outputLevel());
    assertTrue(java.util.Arrays.equals(f.boot().galoisElements(), copy.galoisElements()));
    long before = f.boot().stats().refreshes();
    java.util.List<Bootstrapper.Step> steps = new java.util.ArrayList<>();
    copy.setListener((step, nanos) -> steps.add(step));
    int slots = f.ctx().parameters().slots();
    double[] v = periodicValues(slots, slots, 5);
    Ciphertext out = copy.bootstrap(f.encryptAtLevel0(v, copy.inputScale()), f.ctx().parameters().defaultScale());
    double[] bits = precisionBits(v, f.decrypt(out));
    assertTrue(bits[0] >= MIN_MEAN_BITS && bits[1] >= MIN_BITS, "precision " + bits[0] + " / " + bits[1]);
    assertEquals(1, copy.stats().refreshes());
    assertEquals(before, f.boot().stats().refreshes(), "the original's count is its own");
    assertEquals(java.util.List.of(Bootstrapper.Step.values()), steps);
    // A listener that throws stops the bootstrap at that step (how a server cancels a pass).
    copy.setListener((step, nanos) -> {
      throw new java.util.concurrent.CancellationException("stop at " + step);
    });
    assertThrows(java.util.concurrent.CancellationException.class,
        () -> copy.bootstrap(f.encryptAtLevel0(v, copy.inputScale()), f.ctx().parameters().defaultScale()));
    assertEquals(1, copy.stats().refreshes());
    CkksContext other = HeTestSupport.context(BootstrapPreset.INSECURE_N10_SPARSE_BOOTSTRAP_TEST.parameters(),
        HeTestSupport.suiteBackend());
    assertThrows(IllegalArgumentException.class, () -> f.boot().withEvaluator(new Evaluator(other)));
  }

  /**
   * The bootstrapper's output level and Galois elements come from a dry run on a {@link
   * DepthSimulator}; a real bootstrap, run through an arithmetic that records every key switch,
   * lands on that level and scale and uses exactly those elements, with the simulated counts.
   */
  @Test
  void dryRunPredictsTheRealBootstrap() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    for (BootstrapParameters bp : java.util.List.of(preset.bootstrapParameters(),
        preset.bootstrapParameters().withLogSlots(6))) {
      Fixture f = fixture(preset, bp);
      CkksParameters params = f.ctx().parameters();
      DepthSimulator sim = new DepthSimulator(params);
      SimulatedCiphertext predicted = f.boot().bootstrap(sim, sim.fresh(0, f.boot().inputScale()), 0x1p36);
      assertEquals(f.boot().outputLevel(), predicted.level());
      assertArrayEquals(f.boot().galoisElements(), sim.galoisElementsUsed());
      assertEquals(f.boot().operationCounts(), sim.counts());

      java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
      Arithmetic<Ciphertext> recording = recording(new CiphertextArithmetic(f.ev()), params, used);
      int slots = params.slots();
      double[] v = periodicValues(slots, 1 << bp.logSlots(), 8);
      // An encryptor of its own: the shared one's randomness stays the other tests' (their figures).
      SymmetricEncryptor enc = new SymmetricEncryptor(f.ctx().rlwe(), f.sk(), SeedSource.deterministicForTestsOnly(17));
      Ciphertext in = enc.encrypt(f.encoder().encode(v, 0, f.boot().inputScale()));
      Ciphertext out = f.boot().bootstrap(recording, in, 0x1p36);
      assertEquals(predicted.level(), out.level());
      assertEquals(predicted.scale(), out.scale(), 1e-9 * out.scale());
      assertArrayEquals(f.boot().galoisElements(), used.stream().mapToInt(Integer::intValue).toArray());
      double[] bits = precisionBits(v, f.decrypt(out));
      assertTrue(bits[0] >= MIN_MEAN_BITS && bits[1] >= MIN_BITS, "precision " + bits[0] + " / " + bits[1]);
    }
  }

  /**
   * The Galois elements and the DFT's rotations of the test presets as they were before the DFT
   * became a {@link io.polyhe.he.circuits.LinearTransform} and the elements came from a dry run
   * (recorded from the earlier implementation): the keys a client makes did not change.
   */
  @Test
  void galoisElementsAndRotationsAreUnchanged() {
    int[] before = {5, 25, 65, 125, 257, 513, 593, 625, 769, 1025, 1281, 1505, 1537, 1569, 1681, 1713, 1793,
        1857, 1921, 1985, 2047};
    for (BootstrapPreset preset : java.util.List.of(BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST,
        BootstrapPreset.INSECURE_N10_SPARSE_BOOTSTRAP_TEST)) {
      Fixture f = fixture(preset, preset.bootstrapParameters());
      assertArrayEquals(before, f.boot().galoisElements(), preset.name());
      assertArrayEquals(before, Bootstrapper.galoisElements(preset.parameters(), preset.bootstrapParameters()));
      // 11 + 10 per DFT direction, the conjugation: 43.
      assertEquals(43, f.boot().rotationCount(), preset.name());
      assertEquals(2, f.boot().outputLevel(), preset.name());
    }
  }

  /** {@code inner} with every rotation's and conjugation's Galois element added to {@code used}. */
  @SuppressWarnings("unchecked")
  static Arithmetic<Ciphertext> recording(Arithmetic<Ciphertext> inner, CkksParameters params,
      java.util.Set<Integer> used) {
    int n = params.n();
    return (Arithmetic<Ciphertext>) java.lang.reflect.Proxy.newProxyInstance(Arithmetic.class.getClassLoader(),
        new Class<?>[] {Arithmetic.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "rotate" -> used.addAll(java.util.Arrays.stream(
                GaloisElements.forRotations(new int[] {(Integer) args[1]}, n)).boxed().toList());
            case "rotateHoisted" -> used.addAll(java.util.Arrays.stream(
                GaloisElements.forRotations((int[]) args[1], n)).boxed().toList());
            case "sumOfRotations" -> used.addAll(java.util.Arrays.stream(
                GaloisElements.forRotations(java.util.Arrays.stream((int[]) args[1]).filter(s -> s != 0).toArray(), n))
                .boxed().toList());
            case "conjugate" -> used.add(GaloisElements.conjugation(n));
            default -> { }
          }
          try {
            return method.invoke(inner, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void levelZeroInputWithTooLargeAScaleIsRefused() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    Fixture f = fixture(preset, preset.bootstrapParameters());
    Ciphertext ct = f.encryptAtLevel0(new double[] {0.5}, f.boot().inputScale() * 4);
    assertThrows(IllegalArgumentException.class, () -> f.boot().bootstrap(ct, 1 << 20));
  }

  @Test
  void tooFewLevelsAreRefusedWithTheCount() {
    CkksParameters small = io.polyhe.he.circuits.bootstrap.BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST.parameters();
    BootstrapParameters deep = BootstrapParameters.builder().logSlots(9).dftLevels(9).k(64).doubleAngle(6)
        .sineDegree(31).arcSine(true).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Bootstrapper.galoisElements(small, deep));
    assertTrue(e.getMessage().contains("levels"), e.getMessage());
  }

  @Test
  void sparseSecretPresetMatchesInputsWithFewerLevels() {
    BootstrapPreset preset = BootstrapPreset.INSECURE_N10_SPARSE_BOOTSTRAP_TEST;
    assertEquals(32, preset.parameters().rlwe().secretHammingWeight());
    Fixture f = fixture(preset, preset.bootstrapParameters());
    assertTrue(f.boot().evalMod().fitError() < 1e-13, "fit error " + f.boot().evalMod().fitError());
    int slots = f.ctx().parameters().slots();
    double[] v = periodicValues(slots, slots, 6);
    Ciphertext out = f.boot().bootstrap(f.enc().encrypt(f.encoder().encode(v)), f.ctx().parameters().defaultScale());
    double[] bits = precisionBits(v, f.decrypt(out));
    System.out.printf("sparse secret h=32 %s: mean %.1f bits, min %.1f bits, %s%n", preset, bits[0], bits[1], f.boot());
    assertTrue(bits[0] >= MIN_MEAN_BITS && bits[1] >= MIN_BITS, "precision " + bits[0] + " / " + bits[1]);
    assertTrue(f.boot().evalMod().depth()
        < fixture(BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST,
            BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST.bootstrapParameters()).boot().evalMod().depth());
  }
}
