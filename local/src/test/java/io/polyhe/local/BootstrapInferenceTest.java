package io.polyhe.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.tokenizer.TaskTokenizer;
import org.junit.jupiter.api.Test;

/**
 * The tiny model with non-interactive bootstrapping (INSECURE N = 2^14 test parameters, {@link
 * LevelPlanner#insecureBootstrappingForTestsOnly}) against the same model with client-aided refresh
 * (the planner's 128-bit parameters): one pass over a short prompt gives the same next token, both
 * equal to poly-plain, logits within 0.05 of poly-plain, and the breakdown shows the bootstrap's
 * sub-steps as their own component.
 */
class BootstrapInferenceTest {

  @Test
  void tinyAnswersTheSameWithBootstrapAndClientRefresh() throws java.io.IOException {
    Transformer tiny = ShippedModels.load("tiny");
    TaskTokenizer tokenizer = new TaskTokenizer(tiny.config().tokenizer());
    int[] prompt = tokenizer.encode("^S21=");
    int threads = Runtime.getRuntime().availableProcessors();

    LocalInference client = new LocalInference(new EncryptedTransformer(tiny,
        CkksParameters.of(LevelPlanner.candidate(14))), new JavaBackend(threads), SeedSource.deterministicForTestsOnly(1));
    LocalInference.Pass clientPass = client.forward(prompt);
    int clientNext = LocalInference.nextToken(clientPass);
    client = null; // free its keys before the bootstrapping instance makes its own

    LevelPlanner.BootstrapChoice choice = LevelPlanner.insecureBootstrappingForTestsOnly(tiny);
    assertTrue(choice.model().parameters().rlwe().isInsecure());
    LocalInference boot = new LocalInference(choice.model(), new JavaBackend(threads),
        SeedSource.deterministicForTestsOnly(2), choice.bootstrap());
    assertTrue(boot.bootstraps());
    LatencyRecorder recorder = new LatencyRecorder();
    LocalInference.Pass bootPass = boot.forward(prompt, recorder);
    int bootNext = LocalInference.nextToken(bootPass);
    System.out.printf("client: %s (max err %.2e, %d refreshes); bootstrap: %s (max err %.2e, %d bootstraps, %.1f s)%n",
        tokenizer.decode(new int[] {clientNext}), clientPass.maxAbsError(), clientPass.refreshes(),
        tokenizer.decode(new int[] {bootNext}), bootPass.maxAbsError(), bootPass.refreshes(), bootPass.seconds());

    assertEquals(clientNext, bootNext);
    assertEquals(1.0, bootPass.top1Agreement());
    assertTrue(bootPass.maxAbsError() < 0.05, "max logit error " + bootPass.maxAbsError());
    assertTrue(bootPass.refreshes() > 0);
    assertEquals(bootPass.refreshes(), boot.refreshStats().refreshes());
    LatencyBreakdown b = recorder.breakdown();
    assertTrue(b.secondsByComponent().get(Component.BOOTSTRAP) > 0);
    for (String step : new String[] {"CoeffsToSlots", "EvalMod", "SlotsToCoeffs"}) {
      assertTrue(b.spans().stream().anyMatch(s -> s.component() == Component.BOOTSTRAP && s.layer().endsWith(step)),
          "no span for " + step);
    }
    // Sub-steps are taken out of the refresh spans around them: the totals do not exceed the wall time.
    assertTrue(b.totalSeconds() <= bootPass.seconds() * 1.05 + 0.1, b.totalSeconds() + " vs " + bootPass.seconds());
    assertTrue(bootPass.forwardSeconds() > 0 && bootPass.forwardSeconds() <= bootPass.seconds());
  }
}
