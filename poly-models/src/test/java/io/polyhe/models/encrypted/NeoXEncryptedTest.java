package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.circuits.BlockMatrix;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.config.Architecture;
import io.polyhe.models.forward.Rotary;
import io.polyhe.models.forward.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encrypted pass of a GPT-NeoX model ({@link RandomNeoX}: rotary on half of each head,
 * parallel residual, LayerNorm with bias, erf GELU, untied output embedding) against poly-plain,
 * on the planner's N = 2^14 prime chain (9 levels of 34 bits) over rings small enough for a test —
 * INSECURE, opted into by name: N = 2^11 holds the 16 rows of 64 slots in one ciphertext, N = 2^10
 * splits them over two of 8 rows each, so that rotary positions are checked at absolute positions
 * past the first ciphertext.
 *
 * <ul>
 *   <li>RoPE folded into the projections ({@code R_t·W} per row) equals the explicit rotation of
 *       the projected vector ({@link Rotary}, the poly-plain pass's own): in doubles to 1e-12, and on
 *       ciphertexts within 1e-4 (values O(1), a depth-1 transform at scale 2^34: about 2^-20 per
 *       product summed over 32 terms, plus key-switching noise);
 *   <li>full passes: same top-1 token as poly-plain at every position, logit MSE at most 1e-5 and
 *       max abs error at most 0.01 (the bounds of {@code EncryptedTransformerTest}), and the real
 *       run's refresh points and key switches equal the plan's;
 *   <li>the parallel residual costs a layer its deeper branch: one norm per layer feeding both
 *       branches at the larger of their levels, and fewer refreshes than the sequential twin.
 * </ul>
 */
class NeoXEncryptedTest {
  private static Transformer neox;
  private static EncryptedTransformer single;
  private static EncryptedTransformer tiled;
  private static final int[] PROMPT = {3, 17, 5, 22, 9, 1, 14, 7, 20, 11, 2, 16};

  private static CkksParameters insecure(int logN) {
    CkksParameters.Literal n14 = LevelPlanner.candidate(14);
    return CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(logN, n14.logQ(), n14.logP(), n14.logDefaultScale(), n14.dnum()));
  }

  @BeforeAll
  static void setUp() {
    neox = RandomNeoX.model(5, true, 0.5);
    single = new EncryptedTransformer(neox, insecure(11));
    tiled = new EncryptedTransformer(neox, insecure(10));
  }

  @Test
  void layoutsAreOneAndTwoCiphertexts() {
    assertEquals(1, single.layout().ciphertexts());
    assertEquals(2, tiled.layout().ciphertexts());
    assertEquals(8, tiled.layout().rowsPerCiphertext());
    assertTrue(single.foldedWeights().rotary());
  }

  /** Row t's block of the folded projection is R_t·W: the product equals rotating W·h + b, in doubles. */
  @Test
  void ropeFoldedIntoProjectionsEqualsExplicitRotationInDoubles() {
    FoldedWeights w = single.foldedWeights();
    Architecture.GptNeoX arch = (Architecture.GptNeoX) neox.config().architecture();
    Rotary rotary = new Rotary(arch, RandomNeoX.HEADS, neox.config().headDim(), RandomNeoX.CONTEXT);
    SplittableRandom r = new SplittableRandom(3);
    FoldedWeights.Affine q = w.layers().get(1).q();
    double[][][] blocks = new double[RandomNeoX.CONTEXT][][];
    double[] h = new double[RandomNeoX.CONTEXT * RandomNeoX.D];
    for (int t = 0; t < RandomNeoX.CONTEXT; t++) {
      blocks[t] = w.atPosition(q, t).w();
      for (int i = 0; i < RandomNeoX.D; i++) {
        h[t * RandomNeoX.D + i] = r.nextGaussian();
      }
    }
    double[] folded = BlockMatrix.perBlock(blocks, RandomNeoX.D).multiply(h, h.length);
    for (int t = 0; t < RandomNeoX.CONTEXT; t++) {
      double[] explicit = q.apply(Arrays.copyOfRange(h, t * RandomNeoX.D, (t + 1) * RandomNeoX.D));
      rotary.apply(explicit, t);
      double[] bias = w.atPosition(q, t).b();
      for (int i = 0; i < RandomNeoX.D; i++) {
        assertEquals(explicit[i], folded[t * RandomNeoX.D + i] + bias[i], 1e-12, "row " + t + " column " + i);
      }
    }
    // Rotation really happens: past position 0 the folded block is not W (rotate-half on 4 of 8 dims).
    assertTrue(Math.abs(w.atPosition(q, 5).w()[0][0] - q.w()[0][0]) > 1e-6);
    assertArrayEquals(q.w()[4], w.atPosition(q, 5).w()[4], 0, "dimensions past rotary_pct do not rotate");
  }

  /**
   * The encrypted Q and K projections (per-row blocks, rotated biases) against the explicit
   * rotation of the projected rows, over both ciphertexts of the split layout (positions 0..15).
   */
  @Test
  void ropeFoldedIntoProjectionsEqualsExplicitRotationOnCiphertexts() {
    InProcessKeys local = new InProcessKeys(tiled, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(21));
    FoldedPlainPass plain = new FoldedPlainPass(neox, Arrays.copyOf(PROMPT, RandomNeoX.CONTEXT));
    double[][] h = plain.normed.get(0);
    List<Ciphertext> in = new ArrayList<>();
    for (double[] tile : tiled.layout().packTiles(h)) {
      in.add(local.encrypt(tile, 2, tiled.parameters().defaultScale()));
    }
    List<List<Ciphertext>> qk = tiled.queryKeySegment(local.arithmetic(), in, RandomNeoX.CONTEXT, 0);
    Architecture.GptNeoX arch = (Architecture.GptNeoX) neox.config().architecture();
    Rotary rotary = new Rotary(arch, RandomNeoX.HEADS, neox.config().headDim(), RandomNeoX.CONTEXT);
    FoldedWeights.Layer lw = tiled.foldedWeights().layers().get(0);
    SlotLayout layout = tiled.layout();
    double err = 0;
    for (int which = 0; which < 2; which++) {
      FoldedWeights.Affine a = which == 0 ? lw.q() : lw.k();
      double[][] tiles = {local.decrypt(qk.get(which).get(0)), local.decrypt(qk.get(which).get(1))};
      for (int t = 0; t < RandomNeoX.CONTEXT; t++) {
        double[] explicit = a.apply(h[t]);
        rotary.apply(explicit, t);
        for (int i = 0; i < RandomNeoX.D; i++) {
          double got = tiles[t / layout.rowsPerCiphertext()][layout.slot(t, i)];
          err = Math.max(err, Math.abs(got - explicit[i]));
        }
      }
    }
    assertTrue(err < 1e-4, "folded Q/K vs explicit rotation: max error " + err);
  }

  /**
   * One norm per parallel layer, refreshed to the deeper branch's levels (max of attention's and
   * the FFN's), and fewer refreshes than the same weights wired sequentially.
   */
  @Test
  void parallelResidualCostsTheDeeperBranch() {
    LevelPlanner.Plan parallel = LevelPlanner.plan(single, RandomNeoX.CONTEXT);
    EncryptedTransformer sequentialTwin = new EncryptedTransformer(RandomNeoX.model(5, false, 0.5), insecure(11));
    LevelPlanner.Plan sequential = LevelPlanner.plan(sequentialTwin, RandomNeoX.CONTEXT);
    int deeper = Math.max(single.attentionLevels(), single.ffnLevels());
    for (int l = 0; l < RandomNeoX.LAYERS; l++) {
      String feed = "layer " + l + " / attention + ffn";
      List<RefreshPoints.Point> feeds = parallel.points().stream().filter(p -> p.where().equals(feed)).toList();
      assertEquals(1, feeds.size(), parallel.describe());
      assertEquals(deeper, feeds.get(0).needed(), parallel.describe());
      String layer = "layer " + l + " /";
      assertEquals(1, parallel.points().stream().filter(p -> p.where().startsWith(layer)
          && p.where().endsWith(" norm")).count(), "one norm per layer");
    }
    assertTrue(parallel.refreshes() < sequential.refreshes(),
        "parallel " + parallel.refreshes() + " vs sequential " + sequential.refreshes() + " refreshes");
    assertTrue(parallel.counts().keySwitches() < sequential.counts().keySwitches());
  }

  /**
   * The planner's choice for a NeoX model: 128-bit parameters with exactly the levels its deepest
   * segment needs (the parallel layer's shared norm feeds the deeper branch; that is still one of
   * the segments), and a plan over the full context on them.
   */
  @Test
  void plannerChoosesTheLevelsOfTheDeepestSegment() {
    EncryptedTransformer chosen = LevelPlanner.choose(neox);
    int deepest = Math.max(Math.max(chosen.normLevels(chosen.topLevel(), chosen.streamScale()),
        chosen.attentionLevels()), Math.max(chosen.inverseLevels(), chosen.ffnLevels()));
    assertEquals(deepest, chosen.parameters().maxLevel());
    LevelPlanner.Plan plan = LevelPlanner.plan(chosen, RandomNeoX.CONTEXT);
    assertTrue(plan.refreshes() > 0 && plan.outputLevel() >= 0, plan.describe());
  }
}
