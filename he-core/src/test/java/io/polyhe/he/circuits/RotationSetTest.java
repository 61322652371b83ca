package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.GaloisElements;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Composition of rotations from a base (shortest chains, checked against brute force), the
 * greedy choice of a base, and composed rotations on real ciphertexts against plain rotation.
 */
class RotationSetTest {

  @Test
  void chainsAreShortestAndSumToTheStep() {
    int slots = 64;
    int[] base = {1, 4, 60};
    RotationSet set = new RotationSet(slots, base);
    // Brute force: the fewest base steps summing to k mod slots (base steps may repeat).
    int[] fewest = new int[slots];
    Arrays.fill(fewest, Integer.MAX_VALUE);
    fewest[0] = 0;
    for (int round = 0; round < slots; round++) {
      for (int k = 0; k < slots; k++) {
        if (fewest[k] != Integer.MAX_VALUE) {
          for (int b : base) {
            fewest[(k + b) % slots] = Math.min(fewest[(k + b) % slots], fewest[k] + 1);
          }
        }
      }
    }
    for (int k = -slots; k < 2 * slots; k++) {
      int[] chain = set.chain(k);
      int sum = 0;
      for (int s : chain) {
        assertTrue(Arrays.binarySearch(base, s) >= 0, "chain of " + k + " uses a base step: " + s);
        sum += s;
      }
      assertEquals(Math.floorMod(k, slots), sum % slots, "chain of " + k);
      assertEquals(fewest[Math.floorMod(k, slots)], chain.length, "shortest chain of " + k);
      assertEquals(chain.length, set.cost(k));
    }
    assertEquals(0, set.chain(0).length);
    assertTrue(set.isBase(0) && set.isBase(4) && set.isBase(-4) && !set.isBase(2));
    // The same base in another order gives the same chains (client and server must agree).
    RotationSet again = new RotationSet(slots, new int[] {60, 4, 1});
    for (int k = 0; k < slots; k++) {
      assertArrayEquals(set.chain(k), again.chain(k));
    }
  }

  @Test
  void unreachableStepsAndBadBasesAreRefused() {
    RotationSet even = new RotationSet(16, new int[] {2, 4});
    assertEquals(-1, even.cost(3));
    assertThrows(IllegalArgumentException.class, () -> even.chain(3));
    assertEquals(-1, even.keySwitches(new int[] {2, 3}));
    assertThrows(IllegalArgumentException.class, () -> new RotationSet(16, new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> new RotationSet(16, new int[] {16}));
    assertThrows(IllegalArgumentException.class, () -> new RotationSet(16, new int[] {3, 3}));
    assertThrows(IllegalArgumentException.class, () -> new RotationSet(1, new int[] {}));
  }

  @Test
  void aHoistedBatchCountsEachSharedPrefixOnce() {
    RotationSet set = new RotationSet(64, new int[] {1, 8});
    // Chains 9 = 1+8, 10 = 1+1+8, 11 = 1+1+1+8: the prefixes 1, 1+1, 1+1+1 are shared, so the batch
    // takes the 6 distinct partial sums {1, 2, 3, 9, 10, 11}, not 2 + 3 + 4 key switches.
    assertArrayEquals(new int[] {1, 1, 8}, set.chain(10));
    int alone = set.cost(9) + set.cost(10) + set.cost(11);
    int batch = set.keySwitches(new int[] {0, 9, 10, 11});
    assertEquals(9, alone);
    assertEquals(6, batch);
    assertEquals(0, set.keySwitches(new int[] {0, 64}));
  }

  /** Decompositions and finishes as ComposedRotations really makes them, counted on the dry run. */
  private static final class Counter extends ForwardingArithmetic<SimulatedCiphertext> {
    long decompositions;
    long finishes;
    long summed;

    Counter(Arithmetic<SimulatedCiphertext> d) {
      super(d);
    }

    @Override
    public SimulatedCiphertext rotate(SimulatedCiphertext a, int steps) {
      if (Math.floorMod(steps, parameters().slots()) != 0) {
        decompositions++;
        finishes++;
      }
      return copy(super.rotate(a, steps));
    }

    // The simulator returns its input for a rotation; real rotations are new objects, and the
    // sum shares decompositions by identity.
    private static SimulatedCiphertext copy(SimulatedCiphertext c) {
      return new SimulatedCiphertext(c.level(), c.scale(), c.size());
    }

    @Override
    public SimulatedCiphertext[] rotateHoisted(SimulatedCiphertext a, int[] steps) {
      long n = Arrays.stream(steps).filter(s -> Math.floorMod(s, parameters().slots()) != 0).count();
      decompositions += n > 0 ? 1 : 0;
      finishes += n;
      return Arrays.stream(super.rotateHoisted(a, steps)).map(Counter::copy).toArray(SimulatedCiphertext[]::new);
    }

    @Override
    public SimulatedCiphertext sumOfRotations(SimulatedCiphertext[] terms, int[] steps) {
      java.util.Set<SimulatedCiphertext> rotated = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (int i = 0; i < terms.length; i++) {
        if (Math.floorMod(steps[i], parameters().slots()) != 0) {
          rotated.add(terms[i]);
          summed++;
        }
      }
      decompositions += rotated.size();
      return super.sumOfRotations(terms, steps);
    }
  }

  @Test
  void workIsWhatComposedRotationsDo() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L12, new int[0]);
    int slots = f.params().slots();
    SplittableRandom rnd = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      int[] base = rnd.ints(1 + rnd.nextInt(5), 1, 40).distinct().toArray();
      RotationSet set = new RotationSet(slots, base);
      int[] steps = rnd.ints(1 + rnd.nextInt(6), 0, 60).toArray();
      for (boolean summed : new boolean[] {false, true}) {
        DepthSimulator sim = new DepthSimulator(f.params());
        Counter counter = new Counter(sim);
        ComposedRotations<SimulatedCiphertext> ar = new ComposedRotations<>(counter, set);
        SimulatedCiphertext x = sim.fresh(f.params().maxLevel(), f.params().defaultScale());
        if (set.work(steps, summed) == null) {
          SimulatedCiphertext[] terms = new SimulatedCiphertext[steps.length];
          Arrays.fill(terms, x);
          assertThrows(IllegalArgumentException.class,
              () -> ar.sumOfRotations(terms, steps), "unreachable: " + Arrays.toString(steps));
          assertThrows(IllegalArgumentException.class, () -> ar.rotateHoisted(x, steps));
          continue;
        }
        if (summed) {
          SimulatedCiphertext[] terms = new SimulatedCiphertext[steps.length];
          Arrays.fill(terms, x);
          ar.sumOfRotations(terms, steps);
        } else if (steps.length == 1) {
          ar.rotate(x, steps[0]);
        } else {
          ar.rotateHoisted(x, steps);
        }
        RotationSet.Work w = set.work(steps, summed);
        String what = Arrays.toString(base) + " " + Arrays.toString(steps) + (summed ? " summed" : "");
        assertEquals(counter.decompositions, w.decompositions(), "decompositions of " + what);
        assertEquals(counter.finishes, w.finishes(), "finishes of " + what);
        assertEquals(counter.summed, w.summedFinishes(), "summed finishes of " + what);
        int[] keys = GaloisElements.forRotations(set.base(), f.params().n());
        assertTrue(Arrays.stream(sim.galoisElementsUsed()).allMatch(g -> Arrays.stream(keys).anyMatch(k -> k == g)),
            "only base keys: " + what);
      }
    }
    // Direct: a batch is one decomposition and a finish per step; composed: one per node with children.
    RotationSet direct = new RotationSet(64, new int[] {1, 2, 3, 8});
    assertEquals(new RotationSet.Work(1, 3, 0), direct.work(new int[] {0, 1, 2, 3}, false));
    RotationSet ones = new RotationSet(64, new int[] {1, 8});
    assertEquals(new RotationSet.Work(3, 3, 0), ones.work(new int[] {1, 2, 3}, false));
    // Summed: the prefixes 1, 2 as a batch (0 and 1 decomposed), then the sum decomposes 0, 1 and 2 again.
    assertEquals(new RotationSet.Work(5, 2, 3), ones.work(new int[] {1, 2, 3}, true));
  }

  /** Baby steps hoisted 8 at a time, giant steps single, a few rare steps: a BSGS-shaped pass. */
  private static List<RotationSet.Call> bsgsCalls(boolean summedGiants) {
    List<RotationSet.Call> calls = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      calls.add(new RotationSet.Call(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, false, 60, 42, 18));
      int[] giants = {8, 16, 24, 32, 40, 48, 56};
      if (summedGiants) {
        calls.add(new RotationSet.Call(giants, true, 60, 42, 18));
      } else {
        for (int g : giants) {
          calls.add(new RotationSet.Call(new int[] {g}, false, 60, 42, 18));
        }
      }
    }
    calls.add(new RotationSet.Call(new int[] {-1}, false, 20, 14, 6));
    calls.add(new RotationSet.Call(new int[] {-2}, false, 20, 14, 6));
    return calls;
  }

  @Test
  void choiceKeepsEveryStepWhenThereIsRoomAndComposesWithinTheBudget() {
    int slots = 1024;
    List<RotationSet.Call> calls = bsgsCalls(false);
    RotationSet all = RotationSet.choose(slots, calls, 100, 0);
    assertEquals(16, all.base().length, "7 baby + 7 giant + 2 negative steps, nothing composed");
    double direct = RotationSet.cost(all, calls);
    assertEquals(4 * (60 + 7 * 42 + 7 * (60 + 42)) + 2 * (20 + 14), direct);

    RotationSet ten = RotationSet.choose(slots, calls, 10, 10);
    assertEquals(10, ten.base().length);
    double composed = RotationSet.cost(ten, calls);
    assertTrue(composed > direct && composed < 2 * direct, composed + " vs " + direct);
    assertTrue(Arrays.stream(ten.base()).allMatch(s -> all.isBase(s)), "the base is among the steps used");
    assertArrayEquals(ten.base(), RotationSet.choose(slots, calls, 10, 10).base(), "deterministic");
    // A tight limit on the extra work keeps more steps than the budget asks for.
    RotationSet capped = RotationSet.choose(slots, calls, 8, 0.01);
    assertTrue(capped.base().length > 8, capped.toString());
    assertTrue(RotationSet.cost(capped, calls) <= direct * 1.01 + 1e-9);
    assertThrows(IllegalArgumentException.class, () -> RotationSet.choose(slots, calls, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> RotationSet.choose(slots, calls, 4, -1));
  }

  @Test
  void greedyChoiceIsCloseToTheBestSubset() {
    int slots = 1024;
    for (boolean summed : new boolean[] {false, true}) {
      List<RotationSet.Call> calls = bsgsCalls(summed);
      int[] used = {1, 2, 3, 4, 5, 6, 7, 8, 16, 24, 32, 40, 48, 56, 1022, 1023};
      for (int budget : new int[] {8, 10, 12}) {
        // Brute force over every subset of the used steps of that size that reaches them all.
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < 1 << used.length; mask++) {
          if (Integer.bitCount(mask) != budget) {
            continue;
          }
          int[] base = new int[budget];
          for (int i = 0, j = 0; i < used.length; i++) {
            if ((mask >> i & 1) != 0) {
              base[j++] = used[i];
            }
          }
          best = Math.min(best, RotationSet.cost(new RotationSet(slots, base), calls));
        }
        double greedy = RotationSet.cost(RotationSet.choose(slots, calls, budget, 10), calls);
        assertTrue(greedy <= best * 1.05 + 1e-9, "budget " + budget + (summed ? " summed" : "") + ": greedy "
            + greedy + " vs best " + best);
      }
    }
  }

  @Test
  void composedRotationsOnCiphertextsEqualPlainRotations() {
    CircuitFixture f0 = CircuitFixture.of(CircuitFixture.Params.N11_L12, new int[0]);
    int slots = f0.params().slots();
    int n = f0.params().n();
    RotationSet set = new RotationSet(slots, new int[] {1, 4, slots - 1});
    int[] keys = GaloisElements.forRotations(set.base(), n);
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N11_L12, keys);
    ComposedRotations<io.polyhe.he.rlwe.Ciphertext> ar = new ComposedRotations<>(f.ar(), set);
    double[] x = io.polyhe.he.HeTestSupport.randomValues(new SplittableRandom(5), slots, 1);
    var ct = f.encrypt(x);
    assertThrows(IllegalStateException.class, () -> f.ar().rotate(ct, 3), "no key for 3 itself");
    int[] steps = {0, 1, 3, 5, 8, 9, -2, slots + 7};
    var hoisted = ar.rotateHoisted(ct, steps);
    for (int i = 0; i < steps.length; i++) {
      double[] want = new double[slots];
      for (int j = 0; j < slots; j++) {
        want[j] = x[Math.floorMod(j + steps[i], slots)];
      }
      // Each extra step adds one key switch's noise, about 2^-25 of a unit value here.
      assertTrue(io.polyhe.he.HeTestSupport.maxError(want, f.decrypt(hoisted[i])) < 1e-5, "hoisted step " + steps[i]);
      assertTrue(io.polyhe.he.HeTestSupport.maxError(want, f.decrypt(ar.rotate(ct, steps[i]))) < 1e-5,
          "step " + steps[i]);
    }
    // A sum of composed rotations (one ModDown, the term given twice decomposed once) against the plain sum.
    double[] y = io.polyhe.he.HeTestSupport.randomValues(new SplittableRandom(6), slots, 1);
    var cy = f.encrypt(y);
    int[] sumSteps = {3, 9, 1, -2, 0};
    var terms = java.util.List.of(ct, ct, cy, cy, ct).toArray(io.polyhe.he.rlwe.Ciphertext[]::new);
    double[][] plain = {x, x, y, y, x};
    double[] want = new double[slots];
    for (int t = 0; t < sumSteps.length; t++) {
      for (int j = 0; j < slots; j++) {
        want[j] += plain[t][Math.floorMod(j + sumSteps[t], slots)];
      }
    }
    assertTrue(io.polyhe.he.HeTestSupport.maxError(want, f.decrypt(ar.sumOfRotations(terms, sumSteps))) < 1e-5,
        "sum of composed rotations");
    // The dry run counts the same key switches: 3 = 4 - 1 etc., shared within the batch.
    DepthSimulator sim = new DepthSimulator(f.params());
    new ComposedRotations<>(sim, set).rotateHoisted(CircuitFixture.twin(ct), steps);
    assertEquals(set.keySwitches(steps), sim.counts().rotations());
    assertArrayEquals(Arrays.stream(keys).sorted().toArray(),
        Arrays.stream(sim.galoisElementsUsed()).sorted().toArray(), "only the base's keys are used");
    assertThrows(IllegalArgumentException.class, () -> new ComposedRotations<>(f.ar(), new RotationSet(slots / 2, new int[] {1})));
  }
}
