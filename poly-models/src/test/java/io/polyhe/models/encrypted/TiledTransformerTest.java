package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encrypted pass with rows split over several ciphertexts: the tiny model (rows of 256 slots,
 * 32 positions) at N = 2^12 — the planner's N = 2^14 prime chain on a ring a quarter the size,
 * insecure and opted into by name, only so that the rows need 4 ciphertexts of 8 rows — against its
 * folded poly-plain twin. Attention is the only step that mixes rows, so it is checked at every
 * kind of split (one partial tile, exactly one full, a full and a partial one, four full ones).
 * A whole pass over two tiles is the {@code local} module's {@code LocalInferenceTest}.
 */
class TiledTransformerTest {
  private static Transformer tiny;
  private static TaskTokenizer tokenizer;
  private static EncryptedTransformer model;
  private static InProcessKeys local;

  @BeforeAll
  static void setUp() throws Exception {
    tiny = ShippedModels.load("tiny");
    tokenizer = new TaskTokenizer(tiny.config().tokenizer());
    CkksParameters.Literal n14 = LevelPlanner.candidate(14);
    CkksParameters params = CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(12, n14.logQ(), n14.logP(), n14.logDefaultScale(), n14.dnum()));
    model = new EncryptedTransformer(tiny, params);
    local = new InProcessKeys(model, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(12));
  }

  @Test
  void rowsFillCiphertextsOfEightRows() {
    SlotLayout layout = model.layout();
    assertEquals(8, layout.rowsPerCiphertext());
    assertEquals(4, layout.ciphertexts());
    assertEquals(2, layout.ciphertexts(9));
    assertEquals(1, layout.rowsIn(1, 9));
    assertEquals(layout, SlotLayout.fromJson(layout.toJson()));
    assertTrue(layout.toJson().contains("\"rows_per_ciphertext\":8"), layout.toJson());
    assertThrows(IllegalStateException.class, () -> layout.pack(new double[1][64]));
    assertThrows(IllegalArgumentException.class, () -> new SlotLayout(32, 64, 256, 2048, 4)); // tiles not full
  }

  private static List<Ciphertext> encrypt(double[][] rows, int level, double scale) {
    List<Ciphertext> out = new ArrayList<>();
    for (double[] tile : model.layout().packTiles(rows)) {
      out.add(local.encrypt(tile, level, scale));
    }
    return out;
  }

  /**
   * Attention over 5, 8, 13 and 32 tokens of an in-distribution sequence: valid outputs within 2e-3
   * of the twin (as on one ciphertext), every other slot within 1e-3 of zero.
   */
  @Test
  void attentionAcrossCiphertextsMatchesItsTwin() {
    int[] prompt = tokenizer.encode("^S9075318642=");
    int[] answer = GreedyGenerator.generate(tiny, Mode.POLY_PLAIN, prompt, 32 - prompt.length, tokenizer.eos());
    int[] sequence = new int[32];
    System.arraycopy(prompt, 0, sequence, 0, prompt.length);
    System.arraycopy(answer, 0, sequence, prompt.length, answer.length);
    var ar = local.arithmetic();
    SlotLayout layout = model.layout();
    for (int n : new int[] {5, 8, 13, 32}) {
      FoldedPlainPass plain = new FoldedPlainPass(tiny, Arrays.copyOf(sequence, n));
      List<Ciphertext> h = encrypt(plain.normed.get(0), model.attentionLevels(), model.parameters().defaultScale());
      List<Ciphertext> out = model.attentionSegment(ar, h, n, 0, RefreshPoints.using(local.refresher()));
      assertEquals(layout.ciphertexts(n), out.size());
      double err = 0;
      double stray = 0;
      for (int a = 0; a < out.size(); a++) {
        double[] slots = local.decrypt(out.get(a));
        for (int slot = 0; slot < slots.length; slot++) {
          int t = a * layout.rowsPerCiphertext() + slot / layout.rowStride();
          int c = slot % layout.rowStride();
          if (t < n && c < tiny.config().hiddenSize()) {
            err = Math.max(err, Math.abs(slots[slot] - plain.attentionOut.get(0)[t][c]));
          } else {
            stray = Math.max(stray, Math.abs(slots[slot]));
          }
        }
      }
      assertTrue(err < 2e-3, "T=" + n + ": attention error " + err);
      assertTrue(stray < 1e-3, "T=" + n + ": largest value outside the rows " + stray);
    }
  }
}
