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
    assertEquals(14, p.logN(), "2^13 gives 4096 slots, fewer than 32 rows of 256");
    assertEquals(9, p.maxLevel());
  }

  @Test
  void refreshesOnlyWhereASegmentRunsOut() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    EncryptedTransformer model = new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(14)));
    LevelPlanner.Plan full = LevelPlanner.plan(model, 32);
    java.util.List<String> expected = new java.util.ArrayList<>();
    for (int l = 0; l < tiny.config().numLayers(); l++) {
      for (String segment : new String[] {"attention norm", "attention", "attention inverse", "ffn norm", "ffn"}) {
        expected.add("layer " + l + " / " + segment + (l == 0 && segment.equals("attention norm") ? "" : " -> refresh"));
      }
    }
    expected.add("head / final norm -> refresh");
    assertEquals(expected, full.points().stream()
        .map(p -> p.where() + (p.refreshed() ? " -> refresh" : "")).toList(), full.describe());
    assertEquals(9, full.points().get(0).level(), "the input arrives fresh at the top level");
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

  /**
   * With P = 8 blocks per row (d = 32, d_ff = 256), every prompt length's rotations are among the
   * full context's, so the keys made for the context serve every prompt.
   */
  @Test
  void everyPromptLengthUsesOnlyTheContextsGaloisElements(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Transformer narrow = io.polyhe.models.shapeonly.ShapeOnlyGenerator.write(
        new io.polyhe.models.shapeonly.ShapeOnlyGenerator.Request("narrow",
            new io.polyhe.models.shapeonly.ModelShape(1, 32, 2, 256, 16, 20),
            new io.polyhe.models.config.Attention.PowerSoftmax(4, 0.05),
            new io.polyhe.models.config.Norm(io.polyhe.models.config.Norm.Kind.LAYERNORM, 1e-5), 3, 2, "test"),
        dir);
    // Its fitted inverse is deeper than tiny's: 2^14's nine levels are refused with the reason.
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
        () -> new EncryptedTransformer(narrow, CkksParameters.of(LevelPlanner.candidate(14))));
    assertTrue(few.getMessage().contains("choose parameters with more levels"), few.getMessage());
    EncryptedTransformer model = new EncryptedTransformer(narrow, CkksParameters.of(LevelPlanner.candidate(15)));
    assertEquals(256, model.layout().rowStride());
    int[] all = model.galoisElements();
    for (int t = 1; t <= 16; t++) {
      for (int g : LevelPlanner.plan(model, t).galoisElements()) {
        assertTrue(Arrays.binarySearch(all, g) >= 0, "T=" + t + " uses Galois element " + g);
      }
    }
    // The planner gives it just the levels its deepest segment needs, not all 2^15 allows.
    EncryptedTransformer chosen = LevelPlanner.choose(narrow);
    assertEquals(chosen.levelsNeeded(), chosen.parameters().maxLevel(), chosen.parameters().toString());
    assertTrue(chosen.levelsNeeded() > 9 && chosen.parameters().maxLevel()
        < CkksParameters.of(LevelPlanner.candidate(chosen.parameters().logN())).maxLevel());
  }

  @Test
  void refusesParametersTooSmallForTheModel() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    // N = 2^13 would hold the rows in two ciphertexts, but leaves 2 levels where the norm needs 9.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(13))));
    assertTrue(e.getMessage().contains("choose parameters with more levels"), e.getMessage());
    // A ring whose slots cannot hold one row of 256.
    e = assertThrows(IllegalArgumentException.class, () -> EncryptedTransformer.layoutFor(tiny.config(), 128));
    assertTrue(e.getMessage().contains("choose a larger ring"), e.getMessage());
  }
}
