package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.local.LocalInference;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.HfTokenizer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The shipped text model {@code fortune} (GPT-NeoX: rotary, parallel residual, trained weights) on
 * ciphertexts: encrypted top-1 equals poly-plain at every position, logit MSE at most 1e-5 and max
 * abs error at most 0.01 (the bounds of {@code EncryptedTransformerTest}), refreshes where the plan
 * says.
 *
 * <p>The encrypted pass evaluates Chebyshev guesses only; the shipped {@code fortune} is converted
 * with {@code --max-newton 0}, which the set-up checks, so the model on ciphertexts is the shipped one.
 *
 * <ul>
 *   <li>default suite: one prompt on the planner's prime chain over a small ring (INSECURE, opted
 *       into by name; as {@code TiledTransformerTest}) whose ciphertexts hold 8 rows, so that the
 *       13-character prompt takes two: rotary positions past the first ciphertext (about 30 s);
 *   <li>{@code -Pheavy}: three prompts on that ring, and three at the planner's 128-bit
 *       parameters.
 * </ul>
 */
class FortuneEncryptedTest {
  private static Transformer fortune;
  private static HfTokenizer tokenizer;

  @BeforeAll
  static void setUp() throws Exception {
    fortune = ShippedModels.load("fortune");
    Approximations a = fortune.config().approximations().orElseThrow();
    assertEquals(0, a.normInverseSqrt().iterations(), "the shipped 1/sqrt takes no Newton step");
    assertEquals(0, a.attentionInverse().iterations(), "the shipped 1/x takes no Newton step");
    tokenizer = new HfTokenizer(fortune.config().tokenizer());
  }

  // The planner's chain (as many levels as the deepest segment needs) on a ring whose ciphertexts
  // hold 8 rows (INSECURE).
  private static EncryptedTransformer onSmallRing() {
    int levels = new EncryptedTransformer(fortune, CkksParameters.of(LevelPlanner.candidate(15))).levelsNeeded();
    CkksParameters.Literal chosen = LevelPlanner.candidate(15, levels);
    int stride = EncryptedTransformer.layoutFor(fortune.config(), 1 << 20).rowStride();
    int logN = Integer.numberOfTrailingZeros(8 * stride) + 1; // slots = 8 rows
    return new EncryptedTransformer(fortune, CkksParameters.insecureForTestsOnly(new CkksParameters.Literal(logN,
        chosen.logQ(), chosen.logP(), chosen.logDefaultScale(), chosen.dnum())));
  }

  private static void agreeOn(EncryptedTransformer model, List<String> prompts) {
    LocalInference local = new LocalInference(model, new JavaBackend(Runtime.getRuntime().availableProcessors()),
        SeedSource.deterministicForTestsOnly(17));
    for (String prompt : prompts) {
      int[] tokens = tokenizer.encode(prompt);
      LocalInference.Pass pass = local.forward(tokens);
      assertEquals(1.0, pass.top1Agreement(), "'" + prompt + "': top-1 at every position");
      assertTrue(pass.mse() <= 1e-5, "'" + prompt + "': logit MSE " + pass.mse());
      assertTrue(pass.maxAbsError() <= 0.01, "'" + prompt + "': max abs logit error " + pass.maxAbsError());
      assertEquals(LevelPlanner.plan(model, tokens.length).points(), pass.points(),
          "'" + prompt + "': the real run refreshes where the plan says");
    }
  }

  /**
   * The shipped 1/sqrt (the relative-error minimax guess, docs/decisions.md) keeps every segment
   * within the 9 levels that N = 2^14 holds at 128 bits, so the planner picks N = 2^14 (a key switch
   * about 4x cheaper than at N = 2^15) — and its guess is within 1e-5 relative of 1/sqrt over its range.
   */
  @Test
  void theShippedFitsKeepFortuneAtN14WithNineLevels() {
    NewtonApproximation inv = fortune.config().approximations().orElseThrow().normInverseSqrt();
    assertEquals(7, inv.encryptedDepth(), "1/sqrt depth");
    double worst = 0;
    for (int i = 0; i <= 20_000; i++) {
      double x = inv.lo() * Math.pow(inv.hi() / inv.lo(), i / 20_000.0);
      worst = Math.max(worst, Math.abs(inv.evaluate(x) * Math.sqrt(x) - 1));
    }
    assertTrue(worst <= 1e-5, "max relative error of 1/sqrt " + worst);
    EncryptedTransformer chosen = LevelPlanner.choose(fortune);
    assertEquals(9, chosen.levelsNeeded(), "levels of the deepest segment");
    assertEquals(1 << 14, chosen.parameters().n(), "ring degree");
    assertEquals(9, chosen.parameters().maxLevel(), "levels of the chosen parameters");
  }

  @Test
  void aPromptOverTwoCiphertextsAgreesWithPolyPlain() {
    EncryptedTransformer model = onSmallRing();
    String prompt = "The man who w";
    assertEquals(2, model.layout().ciphertexts(tokenizer.encode(prompt).length));
    agreeOn(model, List.of(prompt));
  }

  @Test
  @EnabledIfSystemProperty(named = "polyhe.heavy", matches = "true")
  void threePromptsAgreeWithPolyPlainOnASmallRing() {
    agreeOn(onSmallRing(), List.of("The man who w", "You will be a", "Love is a many"));
  }

  @Test
  @EnabledIfSystemProperty(named = "polyhe.heavy", matches = "true")
  void threePromptsAgreeWithPolyPlainAt128Bits() {
    agreeOn(LevelPlanner.choose(fortune),
        List.of("A journey of a thousand miles", "He who laughs last", "Q: What is the meaning of"));
  }
}
