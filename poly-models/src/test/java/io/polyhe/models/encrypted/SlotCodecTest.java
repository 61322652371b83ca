package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client's packing and unpacking, and what the compiler refuses. */
class SlotCodecTest {

  @Test
  void packsCentredRowsAndUnpacksLogits() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    FoldedWeights w = new FoldedWeights(tiny);
    SlotLayout layout = EncryptedTransformer.layoutFor(tiny.config(), 8192);
    SlotCodec codec = new SlotCodec(w, layout, tiny.config().vocabSize());
    double[] slots = codec.pack(new int[] {1, 5, 7});
    assertEquals(8192, slots.length);
    assertArrayEquals(w.inputRow(7, 2), java.util.Arrays.copyOfRange(slots, 2 * 256, 2 * 256 + 64), 0);
    for (int i = 64; i < 256; i++) {
      assertEquals(0, slots[i], "the gap after a row stays zero");
    }
    for (int i = 3 * 256; i < slots.length; i++) {
      assertEquals(0, slots[i], "rows beyond the input stay zero");
    }
    double[] out = new double[8192];
    out[256 + 17] = 4.5;
    double[][] logits = codec.unpackLogits(out, 2);
    assertEquals(2, logits.length);
    assertEquals(18, logits[1].length);
    assertEquals(4.5, logits[1][17]);
    assertThrows(IllegalArgumentException.class, () -> codec.pack(new int[0]));
    assertThrows(IllegalArgumentException.class, () -> codec.pack(new int[33]));
    assertThrows(IllegalArgumentException.class, () -> codec.pack(new int[] {18}));
    assertThrows(IllegalArgumentException.class, () -> codec.unpackLogits(new double[100], 1));
    assertThrows(IllegalArgumentException.class, () -> codec.unpackLogits(out, 0));
    assertThrows(IllegalArgumentException.class, () -> new SlotCodec(w, layout, 257));
  }

  @Test
  void refusesModelsWithoutAnEncryptedForm() throws Exception {
    CkksParameters params = CkksParameters.of(LevelPlanner.candidate(14));
    IllegalArgumentException softmax = assertThrows(IllegalArgumentException.class,
        () -> new EncryptedTransformer(ShippedModels.load("tiny-softmax"), params));
    assertTrue(softmax.getMessage().contains("power-softmax"), softmax.getMessage());

    Transformer tiny = ShippedModels.load("tiny");
    ModelConfig c = tiny.config();
    Approximations a = c.approximations().orElseThrow();
    NewtonApproximation g = a.attentionInverse();
    Approximations withNewton = new Approximations(
        new NewtonApproximation(g.kind(), g.lo(), g.hi(), g.guess(), 1, g.maxRelError()),
        a.normInverseSqrt(), a.activation());
    ModelConfig newton = new ModelConfig(c.name(), c.vocabSize(), c.hiddenSize(), c.numLayers(), c.numHeads(),
        c.intermediateSize(), c.maxPositions(), c.attention(), c.norm(), c.activation(), Optional.of(withNewton),
        c.tokenizer(), c.provenance());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EncryptedTransformer(new Transformer(newton, tiny.weights()), params));
    assertTrue(e.getMessage().contains("Newton"), e.getMessage());
  }
}
