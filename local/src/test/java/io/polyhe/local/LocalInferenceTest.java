package io.polyhe.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.Primitive;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Whole local passes of the shipped tiny model, Java backend, in-process client-aided refresh (the
 * segments are checked one by one in poly-models' {@code EncryptedTransformerTest}):
 *
 * <ul>
 *   <li>at the planner's parameters (N = 2^14, 9 levels of 34 bits, 128-bit), three prompts: same
 *       top-1 token as poly-plain at every position, logit MSE at most 1e-5 (the goal was 1e-3;
 *       measured about 3e-7) and max abs error at most 0.01 (measured under 3e-3); the refresh
 *       points, their count and the key switches are the plan's;
 *   <li>rows over two ciphertexts (the planner's chain on N = 2^12, INSECURE, opted into by name):
 *       the same bounds, and each ciphertext has its own refresh points.
 * </ul>
 *
 * A longer run (greedy generation of whole answers) is behind {@code -Dpolyhe.heavy=true}.
 */
class LocalInferenceTest {
  private static Transformer tiny;
  private static TaskTokenizer tokenizer;
  private static EncryptedTransformer model;
  private static LocalInference local;

  @BeforeAll
  static void setUp() throws Exception {
    tiny = ShippedModels.load("tiny");
    tokenizer = new TaskTokenizer(tiny.config().tokenizer());
    model = new EncryptedTransformer(tiny, CkksParameters.of(LevelPlanner.candidate(14)));
    local = new LocalInference(model, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(11));
  }

  @Test
  void theServersArchitectureTestNamesThisClass() {
    // server's NoSecretKeyArchitectureTest checks that this name cannot be loaded there.
    assertEquals("io.polyhe.local.LocalInference", LocalInference.class.getName());
    assertEquals("io.polyhe.local.ClientAidedRefresher", ClientAidedRefresher.class.getName());
  }

  @Test
  void fullPassesAgreeWithPolyPlainAndThePlan() {
    for (String prompt : List.of("^S31=", "^R42=", "^C1|31=")) {
      int[] tokens = tokenizer.encode(prompt);
      LocalInference.Pass pass = local.forward(tokens);
      assertEquals(1.0, pass.top1Agreement(), prompt + ": top-1 at every position");
      assertTrue(pass.mse() <= 1e-5, prompt + ": logit MSE " + pass.mse());
      assertTrue(pass.maxAbsError() <= 0.01, prompt + ": max abs logit error " + pass.maxAbsError());
      LevelPlanner.Plan plan = LevelPlanner.plan(model, tokens.length);
      assertEquals(plan.points(), pass.points(), "the real run refreshes where the plan says");
      assertEquals(plan.refreshes(), pass.refreshes());
      assertEquals(plan.counts().keySwitches(), pass.breakdown().countsByPrimitive().get(Primitive.KEY_SWITCH),
          "the profile counts the key switches the plan predicts");
      assertTrue(pass.breakdown().countsByPrimitive().get(Primitive.NTT) > 0, "the pass's NTTs are recorded");
      assertTrue(pass.forwardSeconds() > 0 && pass.forwardSeconds() < pass.seconds(),
          pass.forwardSeconds() + " s on ciphertexts of " + pass.seconds() + " s");
    }
  }

  @Test
  void fullPassOverTwoCiphertextsAgreesWithPolyPlainAndThePlan() {
    CkksParameters.Literal n14 = LevelPlanner.candidate(14);
    EncryptedTransformer tiled = new EncryptedTransformer(tiny, CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(12, n14.logQ(), n14.logP(), n14.logDefaultScale(), n14.dnum())));
    LocalInference client = new LocalInference(tiled, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(12));
    int[] tokens = tokenizer.encode("^S9075318642=");
    assertEquals(2, tiled.layout().ciphertexts(tokens.length));
    LocalInference.Pass pass = client.forward(tokens);
    assertEquals(1.0, pass.top1Agreement(), "top-1 at every position");
    assertTrue(pass.mse() <= 1e-5, "logit MSE " + pass.mse());
    assertTrue(pass.maxAbsError() <= 0.01, "max abs logit error " + pass.maxAbsError());
    LevelPlanner.Plan plan = LevelPlanner.plan(tiled, tokens.length);
    assertEquals(plan.points(), pass.points(), "the real run refreshes where the plan says");
    assertEquals(plan.counts().keySwitches(), pass.breakdown().countsByPrimitive().get(Primitive.KEY_SWITCH));
    assertTrue(plan.points().stream().anyMatch(p -> p.where().endsWith("(ciphertext 1) / attention inverse")),
        "each ciphertext has its own refresh points");
  }

  @Test
  @EnabledIfSystemProperty(named = "polyhe.heavy", matches = "true")
  void greedyAnswersMatchPolyPlain() {
    for (String prompt : List.of("^S3141=", "^R90751=", "^C3|3133=", "^S97531=")) {
      int[] tokens = tokenizer.encode(prompt);
      int[] expected = GreedyGenerator.generate(tiny, Mode.POLY_PLAIN, tokens, 8, tokenizer.eos());
      int[] seq = tokens;
      int[] got = new int[0];
      while (got.length < expected.length) {
        int next = LocalInference.nextToken(local.forward(seq));
        got = java.util.Arrays.copyOf(got, got.length + 1);
        got[got.length - 1] = next;
        seq = java.util.Arrays.copyOf(seq, seq.length + 1);
        seq[seq.length - 1] = next;
      }
      assertArrayEquals(expected, got, prompt);
    }
  }
}
