package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.local.LocalInference;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.HfTokenizer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The shipped text model {@code fortune} (GPT-NeoX: rotary, parallel residual, trained weights) on
 * ciphertexts: encrypted top-1 equals poly-plain at every position, logit MSE at most 1e-5 and max
 * abs error at most 0.01 (the bounds of {@code EncryptedTransformerTest}), refreshes where the plan
 * says.
 *
 * <p>The encrypted pass evaluates Chebyshev guesses only, and the shipped {@code fortune} takes a
 * Newton step in its norm's 1/sqrt: {@link #newtonFree} refits each approximation that uses Newton
 * steps on the same interval without them (degree up to 255, so the norm keeps its depth of 10
 * levels), and the poly-plain reference is that of the refitted model. With Newton-free shipped
 * approximations it is the shipped model itself.
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
    fortune = newtonFree(ShippedModels.load("fortune"));
    tokenizer = new HfTokenizer(fortune.config().tokenizer());
  }

  /** {@code m} with each approximation that takes Newton steps refitted without them on its interval. */
  static Transformer newtonFree(Transformer m) {
    ModelConfig c = m.config();
    Approximations a = c.approximations().orElseThrow();
    if (a.normInverseSqrt().iterations() == 0 && a.attentionInverse().iterations() == 0) {
      return m;
    }
    Approximations refit = new Approximations(guessOnly(a.attentionInverse(), 1e-4),
        guessOnly(a.normInverseSqrt(), 5e-3), a.activation());
    return new Transformer(new ModelConfig(c.name(), c.vocabSize(), c.hiddenSize(), c.numLayers(), c.numHeads(),
        c.intermediateSize(), c.maxPositions(), c.attention(), c.norm(), c.activation(), Optional.of(refit),
        c.tokenizer(), c.provenance(), c.architecture()), m.weights());
  }

  private static NewtonApproximation guessOnly(NewtonApproximation a, double tolerance) {
    if (a.iterations() == 0) {
      return a;
    }
    NewtonApproximation r = ApproximationFitter.fitNewton(a.kind(), a.lo(), a.hi(), 255, tolerance);
    assertEquals(0, r.iterations(), a.kind() + ": a guess of degree 255 reaches " + tolerance);
    return r;
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
