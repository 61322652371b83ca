package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.local.LocalInference;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.Primitive;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole encrypted passes of a GPT-NeoX model ({@link RandomNeoX}, from poly-models' test-jar:
 * rotary on half of each head, parallel residual, LayerNorm with bias, erf GELU, untied output)
 * through {@link LocalInference}, on the same INSECURE test rings as poly-models'
 * {@code NeoXEncryptedTest} (N = 2^11: one ciphertext; N = 2^10: two of 8 rows each). Same top-1
 * token as poly-plain at every position, logit MSE at most 1e-5 and max abs error at most 0.01 (the
 * bounds of {@code EncryptedTransformerTest}), and the real run's refresh points and key switches
 * equal the plan's. Lives here, in the package of the pass, because whole passes need the in-process
 * client that poly-models may not depend on.
 */
class NeoXPassTest {
  private static final int[] PROMPT = {3, 17, 5, 22, 9, 1, 14, 7, 20, 11, 2, 16};
  private static EncryptedTransformer single;
  private static EncryptedTransformer tiled;

  private static CkksParameters insecure(int logN) {
    CkksParameters.Literal n14 = LevelPlanner.candidate(14);
    return CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(logN, n14.logQ(), n14.logP(), n14.logDefaultScale(), n14.dnum()));
  }

  @BeforeAll
  static void setUp() {
    Transformer neox = RandomNeoX.model(5, true, 0.5);
    single = new EncryptedTransformer(neox, insecure(11));
    tiled = new EncryptedTransformer(neox, insecure(10));
  }

  private static void agreesWithPolyPlainAndThePlan(EncryptedTransformer model, int seed) {
    LocalInference local = new LocalInference(model, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(seed));
    for (int n : new int[] {RandomNeoX.CONTEXT - 5, RandomNeoX.CONTEXT}) {
      int[] tokens = Arrays.copyOf(PROMPT, n); // the rest of the context: token 0
      LocalInference.Pass pass = local.forward(tokens);
      assertEquals(1.0, pass.top1Agreement(), n + " tokens: top-1 at every position");
      assertTrue(pass.mse() <= 1e-5, n + " tokens: logit MSE " + pass.mse());
      assertTrue(pass.maxAbsError() <= 0.01, n + " tokens: max abs logit error " + pass.maxAbsError());
      LevelPlanner.Plan plan = LevelPlanner.plan(model, n);
      assertEquals(plan.points(), pass.points(), "the real run refreshes where the plan says");
      assertEquals(plan.counts().keySwitches(), pass.breakdown().countsByPrimitive().get(Primitive.KEY_SWITCH),
          "the profile counts the key switches the plan predicts");
    }
  }

  @Test
  void fullPassesOnOneCiphertextAgreeWithPolyPlainAndThePlan() {
    agreesWithPolyPlainAndThePlan(single, 22);
  }

  @Test
  void fullPassesOverTwoCiphertextsAgreeWithPolyPlainAndThePlan() {
    agreesWithPolyPlainAndThePlan(tiled, 23);
  }

}
