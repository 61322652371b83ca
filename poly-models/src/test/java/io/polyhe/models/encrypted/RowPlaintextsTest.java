package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.LatencyRecorder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The row plaintexts of the tiny model (d 64, 4 heads, rows of S = 256 slots) for 3 rows in use:
 * every bias at the start of each row in use and nowhere after the last, the norm and inverse
 * offsets outside the rows, the row-mean and first-block masks on the rows only. Exact (plain data).
 */
class RowPlaintextsTest {
  private static final int COUNT = 3;

  private static void checkRowBias(String what, double[] b, PlainVector v, int stride) {
    assertEquals((COUNT - 1) * stride + b.length, v.length(), what + ": ends with the last row in use");
    for (int t = 0; t < COUNT; t++) {
      for (int i = 0; i < stride && t * stride + i < v.length(); i++) {
        assertEquals(i < b.length ? b[i] : 0, v.value(t * stride + i), what + " row " + t + " column " + i);
      }
    }
  }

  @Test
  void plaintextsCoverTheRowsInUseOnly() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    ModelConfig config = tiny.config();
    CkksParameters params = CkksParameters.of(LevelPlanner.candidate(14));
    CompiledApproximations a = CompiledApproximations.of(config, params);
    SlotLayout layout = EncryptedTransformer.layoutFor(config, params.slots());
    BlockContext c = new BlockContext(params, config, layout, a, params.maxLevel(), params.defaultScale(), false,
        new ScoreMasks(layout, config, a.power()));
    FoldedWeights folded = new FoldedWeights(tiny);
    RowPlaintexts rows = RowPlaintexts.build(COUNT, folded, c);
    int stride = layout.rowStride();
    int d = config.hiddenSize();

    assertEquals(COUNT, rows.count());
    for (int l = 0; l < folded.layers().size(); l++) {
      FoldedWeights.Layer w = folded.layers().get(l);
      LayerBiases b = rows.layer(l);
      checkRowBias("layer " + l + " q", w.q().b(), b.q(), stride);
      checkRowBias("layer " + l + " k", w.k().b(), b.k(), stride);
      checkRowBias("layer " + l + " v", w.v().b(), b.v(), stride);
      checkRowBias("layer " + l + " o", w.o().b(), b.o(), stride);
      checkRowBias("layer " + l + " up", w.up().b(), b.up(), stride);
      checkRowBias("layer " + l + " down", w.down().b(), b.down(), stride);
    }
    checkRowBias("lm head", folded.lmHead().b(), rows.lmBias(), stride);

    for (int slot = 0; slot < layout.slots(); slot++) {
      int t = slot / stride;
      int col = slot % stride;
      boolean inRow = t < COUNT && col < d;
      assertEquals(inRow ? 0 : a.normOffset(), rows.normOffset().value(slot), "norm offset at " + slot);
      assertEquals(inRow ? a.attentionEpsilon() : a.inverseOffset(), rows.inverseOffset().value(slot),
          "inverse offset at " + slot);
      assertEquals(inRow ? 1 : 0, rows.firstBlock().value(slot), "first block at " + slot);
      boolean headStart = inRow && col % config.headDim() == 0;
      assertEquals(headStart ? 1 : 0, rows.rowMean().value(slot), "row mean at " + slot);
    }
  }

  @Test
  void aNormFeedingNoSegmentIsRefused() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    EncryptedTransformer model = new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(14)));
    CkksParameters params = model.parameters();
    CompiledApproximations a = CompiledApproximations.of(tiny.config(), params);
    BlockContext c = new BlockContext(params, tiny.config(), model.layout(), a, params.maxLevel(),
        model.streamScale(), false, new ScoreMasks(model.layout(), tiny.config(), a.power()));
    DepthSimulator sim = new DepthSimulator(params);
    Pass<io.polyhe.he.circuits.SimulatedCiphertext> pass = new Pass<>(sim,
        List.of(RowPlaintexts.build(1, model.foldedWeights(), c)), RefreshPoints.simulated(), new LatencyRecorder());
    var x = new java.util.ArrayList<>(List.of(sim.fresh(params.maxLevel(), model.streamScale())));
    assertThrows(IllegalStateException.class, () -> new NormBlock(c).apply(pass, x));
    assertEquals(1, new NormBlock(c).feeding("layer 0", "ffn", model.ffnLevels()).apply(pass, x).size());
  }
}
