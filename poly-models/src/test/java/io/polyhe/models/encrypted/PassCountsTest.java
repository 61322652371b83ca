package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.ShippedModels;
import io.polyhe.models.profile.Component;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Key switches by component from a dry run of {@code tiny} at its planned parameters (all 32 rows
 * in one ciphertext): the counts add up to the planner's, and only attention's grow with the rows —
 * the premise of docs/decisions.md (issue 20, generation) that a new token's own work on this
 * layout is nearly a whole pass.
 */
class PassCountsTest {
  private static final Set<Component> ATTENTION = EnumSet.of(Component.CIPHER_MATMUL, Component.POWER_SOFTMAX);
  private static EncryptedTransformer model;

  @BeforeAll
  static void setUp() throws Exception {
    model = LevelPlanner.choose(ShippedModels.load("tiny"));
  }

  @Test
  void countsAddUpToThePlannersAndOnlyAttentionGrowsWithTheRows() {
    PassCounts one = PassCounts.of(model, 1);
    PassCounts six = PassCounts.of(model, 6);
    PassCounts full = PassCounts.of(model, 32);
    for (PassCounts c : new PassCounts[] {one, six, full}) {
      LevelPlanner.Plan plan = LevelPlanner.plan(model, c.tokens());
      assertEquals(plan.counts().keySwitches(), c.keySwitches(), "T=" + c.tokens());
      assertEquals(plan.refreshes(), c.refreshes(), "T=" + c.tokens());
      assertEquals(c.keySwitches(), c.byComponent().values().stream().mapToLong(Long::longValue).sum());
      assertEquals(1, c.ciphertexts());
    }
    for (Component k : Component.values()) {
      if (ATTENTION.contains(k)) {
        assertTrue(one.of(k) < six.of(k) && six.of(k) < full.of(k), k + ": " + one.of(k) + ", " + six.of(k)
            + ", " + full.of(k));
      } else {
        assertEquals(one.of(k), six.of(k), k.label());
        assertEquals(one.of(k), full.of(k), k.label());
      }
    }
    assertTrue(one.of(Component.PLAIN_MATMUL) > 0 && one.of(Component.NORM) > 0, one.byComponent().toString());
    // A new token's row costs this much outside attention whatever the cache holds, and it is more
    // than half the demo's first pass (6 rows): no cache of earlier rows can bring a token under half
    // a pass on this layout, even with attention for free.
    long ownWork = six.keySwitches() - six.of(Component.CIPHER_MATMUL) - six.of(Component.POWER_SOFTMAX);
    assertEquals(ownWork, one.keySwitches() - one.of(Component.CIPHER_MATMUL) - one.of(Component.POWER_SOFTMAX));
    assertTrue(ownWork > 0.5 * six.keySwitches(), ownWork + " of " + six.keySwitches());
  }

  @Test
  void rowsOutsideTheContextAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PassCounts.of(model, 0));
    assertThrows(IllegalArgumentException.class, () -> PassCounts.of(model, 33));
  }
  @Test
  void rotationKeysStayWithinTheBudgetAndSumsAreComposedToo() {
    // Every rotation, the sums of rotations included, uses only the chosen base's keys.
    int[] galois = model.galoisElements();
    assertTrue(galois.length <= EncryptedTransformer.MAX_ROTATION_KEYS, galois.length + " Galois keys");
    assertEquals(model.rotationSet().base().length, galois.length);
    // The composed pass's rotations are what the cost model counts, and cost at most +35 % work.
    java.util.List<io.polyhe.he.circuits.RotationSet.Call> calls = model.directRotationCalls(32);
    io.polyhe.he.circuits.RotationSet.Work w = io.polyhe.he.circuits.RotationSet.work(model.rotationSet(), calls);
    assertEquals(LevelPlanner.plan(model, 32).counts().rotations(), w.finishes() + w.summedFinishes());
    int slots = model.parameters().slots();
    int[] used = calls.stream().flatMapToInt(c -> java.util.Arrays.stream(c.steps()))
        .map(s -> Math.floorMod(s, slots)).filter(s -> s != 0).distinct().toArray();
    var direct = new io.polyhe.he.circuits.RotationSet(slots, used);
    double extra = io.polyhe.he.circuits.RotationSet.cost(model.rotationSet(), calls)
        / io.polyhe.he.circuits.RotationSet.cost(direct, calls);
    assertTrue(extra <= 1 + EncryptedTransformer.MAX_EXTRA_ROTATION_WORK + 1e-9, "work x" + extra);
    // The default policy composed because that meets the key-bytes target.
    long keyBytes = (galois.length + 1L) * io.polyhe.he.io.HeFormat.switchingKeySize(model.parameters().rlwe());
    assertTrue(keyBytes <= EncryptedTransformer.KEY_BYTES_TARGET, keyBytes + " bytes of keys");
    assertTrue(model.maxRotationKeys().isEmpty());
  }

  /**
   * Where composing cannot bring the keys under the target (tiny on a larger ring, whose keys are
   * over twice the size), the default keeps every step direct rather than pay pass time for
   * nothing; an explicit budget is honoured either way.
   */
  @Test
  void theDefaultComposesOnlyWhereThatMeetsTheKeyTarget() {
    EncryptedTransformer wide = new EncryptedTransformer(model.model(),
        io.polyhe.he.ckks.CkksParameters.of(LevelPlanner.candidate(15, model.parameters().maxLevel())));
    int slots = wide.parameters().slots();
    int[] used = wide.directRotationCalls(32).stream().flatMapToInt(c -> java.util.Arrays.stream(c.steps()))
        .map(s -> Math.floorMod(s, slots)).filter(s -> s != 0).distinct().toArray();
    assertTrue(used.length > EncryptedTransformer.MAX_ROTATION_KEYS, used.length + " steps");
    assertEquals(used.length, wide.rotationSet().base().length, "every step direct");
    EncryptedTransformer budget = wide.withRotationKeys(EncryptedTransformer.MAX_ROTATION_KEYS);
    assertTrue(budget.rotationSet().base().length < used.length, "an explicit budget composes");
    assertEquals(EncryptedTransformer.MAX_ROTATION_KEYS, budget.maxRotationKeys().getAsInt());
    int tinySlots = model.parameters().slots();
    long tinySteps = model.directRotationCalls(32).stream().flatMapToInt(c -> java.util.Arrays.stream(c.steps()))
        .map(s -> Math.floorMod(s, tinySlots)).filter(s -> s != 0).distinct().count();
    assertEquals(tinySteps, model.withRotationKeys(1000).rotationSet().base().length, "a large budget: direct");
    assertThrows(IllegalArgumentException.class, () -> model.withRotationKeys(0));
  }
}
