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

  @Test
  void choiceKeepsEveryStepWhenThereIsRoomAndComposesWithinTheBudget() {
    int slots = 1024;
    List<RotationSet.Call> calls = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      calls.add(new RotationSet.Call(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 10)); // baby steps, hoisted
      for (int g = 8; g < 64; g += 8) {
        calls.add(new RotationSet.Call(new int[] {g}, 10)); // giant steps
      }
      calls.add(new RotationSet.Call(new int[] {-1}, 3));
      calls.add(new RotationSet.Call(new int[] {-2}, 3));
    }
    RotationSet all = RotationSet.choose(slots, calls, 100, 0);
    assertEquals(16, all.base().length, "7 baby + 7 giant + 2 negative steps, nothing composed");
    List<int[]> steps = calls.stream().map(RotationSet.Call::steps).toList();
    double[] weights = calls.stream().mapToDouble(RotationSet.Call::weight).toArray();
    double direct = RotationSet.cost(all, steps, weights);
    assertEquals(4 * (7 * 10 + 7 * 10 + 3 + 3), direct);

    RotationSet eight = RotationSet.choose(slots, calls, 8, 10);
    assertEquals(8, eight.base().length);
    double composed = RotationSet.cost(eight, steps, weights);
    assertTrue(composed > direct && composed < 2 * direct, composed + " vs " + direct);
    assertTrue(Arrays.stream(eight.base()).allMatch(s -> all.isBase(s)), "the base is among the steps used");
    assertArrayEquals(eight.base(), RotationSet.choose(slots, calls, 8, 10).base(), "deterministic");

    // A tight limit on the extra work keeps more steps than the budget asks for.
    RotationSet capped = RotationSet.choose(slots, calls, 8, 0.01);
    assertTrue(capped.base().length > 8, capped.toString());
    assertTrue(RotationSet.cost(capped, steps, weights) <= direct * 1.01 + 1e-9);
    assertThrows(IllegalArgumentException.class, () -> RotationSet.choose(slots, calls, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> RotationSet.choose(slots, calls, 4, -1));
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
    // The dry run counts the same key switches: 3 = 4 - 1 etc., shared within the batch.
    DepthSimulator sim = new DepthSimulator(f.params());
    new ComposedRotations<>(sim, set).rotateHoisted(CircuitFixture.twin(ct), steps);
    assertEquals(set.keySwitches(steps), sim.counts().rotations());
    assertArrayEquals(Arrays.stream(keys).sorted().toArray(),
        Arrays.stream(sim.galoisElementsUsed()).sorted().toArray(), "only the base's keys are used");
    assertThrows(IllegalArgumentException.class, () -> new ComposedRotations<>(f.ar(), new RotationSet(slots / 2, new int[] {1})));
  }
}
