package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encrypted pass of the shipped tiny model at the planner's parameters (N = 2^14, 9 levels of
 * 34 bits, 128-bit), Java backend, in-process client-aided refresh: each segment (norm, attention,
 * FFN, LM head) on ciphertexts against its folded poly-plain twin ({@link FoldedPlainPass}, itself
 * equal to poly-plain to 1e-9), max abs error per slot within the bound stated at each assertion
 * (about 20x what was measured). Whole passes against poly-plain and the plan are the {@code local}
 * module's {@code LocalInferenceTest}.
 */
class EncryptedTransformerTest {
  private static Transformer tiny;
  private static TaskTokenizer tokenizer;
  private static EncryptedTransformer model;
  private static InProcessKeys local;

  @BeforeAll
  static void setUp() throws Exception {
    tiny = ShippedModels.load("tiny");
    tokenizer = new TaskTokenizer(tiny.config().tokenizer());
    model = new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(14)));
    local = new InProcessKeys(model, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(11));
  }

  private static double[] slots(double[][] rows) {
    SlotLayout l = model.layout();
    double[] out = new double[l.slots()];
    for (int t = 0; t < rows.length; t++) {
      System.arraycopy(rows[t], 0, out, t * l.rowStride(), rows[t].length);
    }
    return out;
  }

  private static double maxError(double[][] expected, double[] slotsBack) {
    double m = 0;
    for (int t = 0; t < expected.length; t++) {
      for (int i = 0; i < expected[t].length; i++) {
        m = Math.max(m, Math.abs(expected[t][i] - slotsBack[t * model.layout().rowStride() + i]));
      }
    }
    return m;
  }

  @Test
  void everySegmentMatchesItsPolyPlainTwin() {
    int[] tokens = tokenizer.encode("^R9075=");
    int n = tokens.length;
    FoldedPlainPass plain = new FoldedPlainPass(tiny, tokens);
    CkksParameters p = model.parameters();
    var ar = local.arithmetic();
    for (int l = 0; l < tiny.config().numLayers(); l++) {
      // norm before attention: input at the top level and the stream scale
      Ciphertext x = local.encrypt(slots(plain.streams.get(2 * l)), p.maxLevel(), model.streamScale());
      double normErr = maxError(plain.normed.get(2 * l), local.decrypt(model.normSegment(ar, x, n)));
      assertTrue(normErr < 1e-3, "layer " + l + " norm error " + normErr);

      Ciphertext h = local.encrypt(slots(plain.normed.get(2 * l)), model.attentionLevels(), p.defaultScale());
      RefreshPoints<Ciphertext> points = RefreshPoints.using(local.refresher());
      double attErr = maxError(plain.attentionOut.get(l),
          local.decrypt(model.attentionSegment(ar, h, n, l, points)));
      assertTrue(attErr < 2e-3, "layer " + l + " attention error " + attErr);
      assertEquals(1, points.refreshes(), "the inverse's input is refreshed once");

      Ciphertext h2 = local.encrypt(slots(plain.normed.get(2 * l + 1)), model.ffnLevels(), p.defaultScale());
      double ffnErr = maxError(plain.ffnOut.get(l), local.decrypt(model.ffnSegment(ar, h2, n, l)));
      assertTrue(ffnErr < 2e-3, "layer " + l + " ffn error " + ffnErr);
    }
    Ciphertext y = local.encrypt(slots(plain.normed.getLast()), 1, p.defaultScale());
    double headErr = maxError(plain.logits, local.decrypt(model.headSegment(ar, y, n)));
    assertTrue(headErr < 1e-3, "head error " + headErr);
  }

  /**
   * Attention over 1, 3 (fewer rows than blocks per row), 9 and 32 (the whole context: rotated K/V
   * rows wrap around onto real rows, which the causal mask must drop) tokens of an in-distribution
   * sequence (a prompt, its greedy answer, then padding): valid outputs within 2e-3 of the twin,
   * every other slot (rows beyond the prompt, columns beyond d) within 1e-3 of zero.
   */
  @Test
  void attentionHoldsForEveryPromptLength() {
    int[] prompt = tokenizer.encode("^S9075318642=");
    int[] answer = GreedyGenerator.generate(tiny, Mode.POLY_PLAIN, prompt, 32 - prompt.length, tokenizer.eos());
    int[] sequence = new int[32]; // the rest stays 0, the padding symbol
    System.arraycopy(prompt, 0, sequence, 0, prompt.length);
    System.arraycopy(answer, 0, sequence, prompt.length, answer.length);
    var ar = local.arithmetic();
    for (int n : new int[] {1, 3, 9, 32}) {
      FoldedPlainPass plain = new FoldedPlainPass(tiny, java.util.Arrays.copyOf(sequence, n));
      Ciphertext h = local.encrypt(slots(plain.normed.get(0)), model.attentionLevels(),
          model.parameters().defaultScale());
      double[] out = local.decrypt(model.attentionSegment(ar, h, n, 0, RefreshPoints.using(local.refresher())));
      double err = maxError(plain.attentionOut.get(0), out);
      assertTrue(err < 2e-3, "T=" + n + ": attention error " + err);
      double stray = 0;
      for (int slot = 0; slot < out.length; slot++) {
        int t = slot / model.layout().rowStride();
        int c = slot % model.layout().rowStride();
        if (t >= n || c >= tiny.config().hiddenSize()) {
          stray = Math.max(stray, Math.abs(out[slot]));
        }
      }
      assertTrue(stray < 1e-3, "T=" + n + ": largest value outside the rows " + stray);
    }
  }
}
