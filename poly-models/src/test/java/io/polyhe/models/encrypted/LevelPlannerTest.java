package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.Transformer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The planner's choices on the tiny model; simulated = real is checked in {@link EncryptedTransformerTest}. */
class LevelPlannerTest {

  @Test
  void choosesTheSmallestRingThatHoldsTheModel() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    CkksParameters p = LevelPlanner.chooseParameters(tiny);
    assertEquals(14, p.logN(), "2^13 slots hold 32 rows of 256; 2^13 itself has too few levels");
    assertEquals(9, p.maxLevel());
  }

  @Test
  void refreshesOnlyWhereASegmentRunsOut() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    EncryptedTransformer model = new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(14)));
    LevelPlanner.Plan full = LevelPlanner.plan(model, 32);
    for (RefreshPoints.Point point : full.points()) {
      assertEquals(point.level() < point.needed(), point.refreshed(), point.toString());
    }
    // Per layer: the stream before each norm, the attention input, the inverse's input, the FFN input;
    // then the final norm (the head runs beside it). The first norm runs on the fresh input.
    assertEquals(5 * tiny.config().numLayers() - 1 + 1, full.refreshes(), full.describe());
    LevelPlanner.Plan few = LevelPlanner.plan(model, 5);
    assertTrue(few.counts().keySwitches() < full.counts().keySwitches());
    int[] all = full.galoisElements();
    for (int g : few.galoisElements()) {
      assertTrue(Arrays.binarySearch(all, g) >= 0, "Galois elements of a short prompt are among the full context's");
    }
    assertThrows(IllegalArgumentException.class, () -> LevelPlanner.plan(model, 33));
    assertThrows(IllegalArgumentException.class, () -> LevelPlanner.plan(model, 0));
  }

  @Test
  void refusesParametersTooSmallForTheModel() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(13))));
    assertTrue(e.getMessage().contains("choose a larger ring"), e.getMessage());
  }
}
