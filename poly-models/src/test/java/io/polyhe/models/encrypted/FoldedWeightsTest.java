package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import org.junit.jupiter.api.Test;

/**
 * Folding is exact: the folded pass (norm weights in the next layer, centred stream, 1/(i+1) inside
 * the power) gives the poly-plain logits to rounding (1e-9), so every encrypted segment can be
 * tested against its folded twin.
 */
class FoldedWeightsTest {

  @Test
  void foldedPassEqualsPolyPlain() throws Exception {
    Transformer tiny = ShippedModels.load("tiny");
    TaskTokenizer tok = new TaskTokenizer(tiny.config().tokenizer());
    for (String prompt : new String[] {"^S31=", "^R9075=", "^C1|3141=13"}) {
      int[] tokens = tok.encode(prompt);
      double[][] expected = tiny.logits(tokens, Mode.POLY_PLAIN);
      double[][] folded = new FoldedPlainPass(tiny, tokens).logits;
      for (int t = 0; t < tokens.length; t++) {
        for (int v = 0; v < expected[t].length; v++) {
          assertEquals(expected[t][v], folded[t][v], 1e-9, prompt + " row " + t + " token " + v);
        }
      }
    }
  }

  /** The same for GPT-NeoX (rotary folded into Q/K per position, parallel or sequential residual). */
  @Test
  void foldedNeoXPassEqualsPolyPlain() {
    int[] tokens = {3, 17, 5, 22, 9, 1, 14, 7, 20, 11, 2, 16, 0, 8, 4, 12};
    for (boolean parallel : new boolean[] {true, false}) {
      Transformer neox = RandomNeoX.model(5, parallel, 0.5);
      double[][] expected = neox.logits(tokens, Mode.POLY_PLAIN);
      double[][] folded = new FoldedPlainPass(neox, tokens).logits;
      for (int t = 0; t < tokens.length; t++) {
        for (int v = 0; v < expected[t].length; v++) {
          assertEquals(expected[t][v], folded[t][v], 1e-9, "parallel " + parallel + " row " + t + " token " + v);
        }
      }
    }
  }

  @Test
  void inputRowsAreCentredAndChecked() throws Exception {
    FoldedWeights w = new FoldedWeights(ShippedModels.load("tiny"));
    double sum = 0;
    for (double v : w.inputRow(3, 4)) {
      sum += v;
    }
    assertEquals(0, sum, 1e-12);
    assertThrows(IllegalArgumentException.class, () -> w.inputRow(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> w.inputRow(0, 32));
  }
}
