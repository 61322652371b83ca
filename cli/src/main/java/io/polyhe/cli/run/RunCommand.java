package io.polyhe.cli.run;

import com.google.gson.GsonBuilder;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.cli.resident.ResidentPassEngine;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.local.LocalInference;
import io.polyhe.models.Model;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.LatencyRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe run}: encrypted greedy generation in one process — keys made locally, the prompt
 * encrypted, every forward pass run on ciphertexts with in-process client-aided refresh, the logits
 * decrypted — next to the poly-plain reference. {@code --refresh bootstrap} replaces client-aided
 * refresh by non-interactive bootstrapping (its sub-steps appear in the breakdown as the {@code
 * bootstrap} component). Prints both answers, the logit error against
 * poly-plain over every position of every pass, the refreshes, and the latency breakdown; with
 * {@code --json} the last stdout line is one JSON object.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run encrypted generation in one process and compare it with the poly-plain pass."
        + " Exit code 3 when the encrypted answer differs from the poly-plain one.")
public final class RunCommand implements Callable<Integer> {

  @Option(names = "--model", description = "Shipped model name or model directory (default: ${DEFAULT-VALUE}).",
      defaultValue = ShippedModels.DEFAULT)
  String model;

  @Option(names = "--prompt",
      description = "The prompt. Task models: ^S<digits>= sorts, ^R<digits>= reverses, ^C<d>|<digits>= counts"
          + " (3 to 10 digits; default " + PromptText.TASK_PROMPT + "); text models: any text their tokenizer"
          + " covers (default '" + PromptText.TEXT_PROMPT + "').")
  String prompt;

  @Option(names = "--tokens", defaultValue = "4",
      description = "Tokens to generate, stopping early at end of answer (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--profile-out", description = "Directory for breakdown.json, trace.json (Perfetto) and breakdown.html.")
  Path profileOut;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Option(names = "--show-plan", description = "Print the level plan: every refresh check with its level.")
  boolean showPlan;

  @Option(names = "--backend", description = "java, native, ... (default: best available); native-resident"
      + " (or cuda-resident) runs the pass with ciphertexts, keys and weights resident on that device.")
  String backend;

  @Option(names = "--threads", description = "Backend threads (default: all cores).")
  Integer threads;

  /** How the pass refreshes ciphertexts that ran out of levels. */
  enum Refresh { client, bootstrap }

  @Option(names = "--refresh", defaultValue = "client",
      description = "client (client-aided: decrypt and re-encrypt in process) or bootstrap (non-interactive "
          + "bootstrapping, 128-bit N = 2^16 parameters); default: ${DEFAULT-VALUE}.")
  Refresh refresh;

  @Option(names = "--insecure-test-bootstrap",
      description = "With --refresh bootstrap: INSECURE N = 2^14 test parameters (sparse secret h = 64) instead of"
          + " the 128-bit N = 2^16 ones; for tests and demonstrations only.")
  boolean insecureTestBootstrap;

  @Override
  public Integer call() throws IOException {
    if (tokens < 1) {
      throw new IllegalArgumentException("--tokens must be at least 1, got " + tokens);
    }
    Transformer transformer = ShippedModels.loadShippedOrDirectory(model);
    try (PromptText tokenizer = new PromptText(transformer.config().tokenizer())) {
      return run(transformer, tokenizer, prompt == null ? tokenizer.defaultPrompt() : prompt);
    }
  }

  private int run(Transformer transformer, PromptText tokenizer, String prompt) throws IOException {
    int[] promptTokens = tokenizer.encode(prompt);
    int context = transformer.config().maxPositions();
    if (promptTokens.length == 0 || promptTokens.length > context) {
      throw new IllegalArgumentException("prompt of " + promptTokens.length + " tokens; need 1.." + context);
    }
    int t = threads == null ? ComputeBackends.defaultThreads() : threads;
    boolean resident = ResidentPassEngine.selects(backend);
    if (resident && refresh == Refresh.bootstrap) {
      throw new IllegalArgumentException("--backend " + backend + " refreshes client-aided only; drop --refresh bootstrap");
    }
    // A resident pass still encrypts, decrypts and refreshes on the host: the best host backend.
    ComputeBackend compute = backend == null || resident ? ComputeBackends.best(t) : ComputeBackends.create(backend, t);
    if (!"native".equals(compute.name()) && backend == null) {
      System.err.println("polyhe run: no native backend found; using the " + compute.name() + " backend");
    }

    long setupStart = System.nanoTime();
    EncryptedTransformer encrypted;
    LocalInference local;
    if (refresh == Refresh.bootstrap) {
      LevelPlanner.BootstrapChoice choice = insecureTestBootstrap
          ? LevelPlanner.insecureBootstrappingForTestsOnly(transformer)
          : LevelPlanner.chooseForBootstrapping(transformer);
      encrypted = choice.model();
      local = new LocalInference(encrypted, compute, SeedSource.secure(), choice.bootstrap());
    } else {
      if (insecureTestBootstrap) {
        throw new IllegalArgumentException("--insecure-test-bootstrap needs --refresh bootstrap");
      }
      encrypted = LevelPlanner.choose(transformer);
      local = resident
          ? new LocalInference(encrypted, compute, SeedSource.secure(), ResidentPassEngine.factory(backend, t))
          : new LocalInference(encrypted, compute, SeedSource.secure());
    }
    try (LocalInference owned = local) {
      return pass(transformer, tokenizer, prompt, promptTokens, context, compute, encrypted, owned, setupStart);
    }
  }

  private int pass(Transformer transformer, PromptText tokenizer, String prompt, int[] promptTokens, int context,
      ComputeBackend compute, EncryptedTransformer encrypted, LocalInference local, long setupStart)
      throws IOException {
    CkksParameters params = encrypted.parameters();
    LevelPlanner.Plan plan = LevelPlanner.plan(encrypted, Math.min(context, promptTokens.length + tokens - 1));
    double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
    System.out.printf("model %s, %s, backend %s x%d, refresh %s%s%n", transformer.config().name(), params,
        compute.name(), compute.threads(), refresh,
        refresh == Refresh.bootstrap ? " (circuit levels " + encrypted.topLevel() + " of " + params.maxLevel() + ")" : "");
    System.out.printf("layout %s; %d Galois keys; setup (planning, keys) %.1f s%n", encrypted.layout().toJson(),
        local.galoisKeys(), setupSeconds);
    System.out.println("engine: " + local.engine().describe());
    if (showPlan) {
      System.out.print(plan.describe());
    }

    int[] reference = GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, promptTokens, tokens, tokenizer.eos());
    LatencyRecorder recorder = new LatencyRecorder();
    int[] sequence = promptTokens;
    int[] answer = new int[0];
    double maxErr = 0;
    double sqErr = 0;
    long logitCount = 0;
    int agree = 0;
    int positions = 0;
    int refreshes = 0;
    double forwardSeconds = 0;
    List<Double> passComputeSeconds = new ArrayList<>();
    double refreshSoFar = 0;
    long start = System.nanoTime();
    while (answer.length < tokens) {
      LocalInference.Pass pass = local.forward(sequence, recorder);
      maxErr = Math.max(maxErr, pass.maxAbsError());
      int cells = pass.logits().length * pass.logits()[0].length;
      sqErr += pass.mse() * cells;
      logitCount += cells;
      agree += (int) Math.round(pass.top1Agreement() * pass.logits().length);
      positions += pass.logits().length;
      refreshes += pass.refreshes();
      forwardSeconds += pass.forwardSeconds();
      // Less this pass's in-process refreshes: what a server would compute for it.
      double refreshed = pass.breakdown().secondsByComponent().getOrDefault(Component.REFRESH, 0.0);
      passComputeSeconds.add(pass.forwardSeconds() - (refreshed - refreshSoFar));
      refreshSoFar = refreshed;
      int next = LocalInference.nextToken(pass);
      System.out.printf("pass %d: %d tokens, %.2f s (%.2f s on ciphertexts), %d refreshes, max |logit err| %.2e -> %s%n",
          answer.length + 1, sequence.length, pass.seconds(), pass.forwardSeconds(), pass.refreshes(),
          pass.maxAbsError(), tokenizer.decode(new int[] {next}));
      answer = Arrays.copyOf(answer, answer.length + 1);
      answer[answer.length - 1] = next;
      if (next == tokenizer.eos() || sequence.length == context) {
        break;
      }
      sequence = Arrays.copyOf(sequence, sequence.length + 1);
      sequence[sequence.length - 1] = next;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LatencyBreakdown breakdown = recorder.breakdown();
    String answerText = tokenizer.decode(answer);
    String referenceText = tokenizer.decode(reference);
    double mse = sqErr / logitCount;
    double top1 = (double) agree / positions;

    System.out.printf("%nprompt            %s%n", prompt);
    System.out.printf("encrypted answer  %s%n", answerText);
    System.out.printf("poly-plain answer %s%s%n", referenceText, answerText.equals(referenceText) ? "  (identical)" : "  (DIFFERENT)");
    Optional<String> expected = tokenizer.expectedAnswer(prompt);
    expected.ifPresent(e -> System.out.printf("expected answer   %s%s%n", e,
        e.equals(answerText) ? "  (correct)" : "  (WRONG: the model does not solve this prompt)"));
    System.out.printf("logits vs poly-plain: max |err| %.3e, MSE %.3e, top-1 agreement %.1f%% over %d positions%n",
        maxErr, mse, 100 * top1, positions);
    System.out.printf("refreshes %d (%d planned per pass over %d tokens), %.2f s for %d pass(es)%n%n", refreshes,
        plan.refreshes(), plan.tokens(), seconds, answer.length);
    System.out.print(breakdown.toTable());
    if (profileOut != null) {
      breakdown.writeProfile(profileOut);
      System.out.println("profile written to " + profileOut.toAbsolutePath() + " (breakdown.json, trace.json, breakdown.html)");
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("answer", answerText);
      out.put("reference_answer", referenceText);
      expected.ifPresent(e -> {
        out.put("expected_answer", e);
        out.put("correct", e.equals(answerText));
      });
      out.put("prompt", prompt);
      out.put("max_abs_logit_err", maxErr);
      out.put("logit_mse", mse);
      out.put("top1_agreement", top1);
      out.put("refreshes", refreshes);
      out.put("seconds", seconds);
      // The passes on ciphertexts alone (no encryption, decryption or poly-plain reference): the
      // server's share, comparable with a served pass's server time.
      out.put("forward_seconds", forwardSeconds);
      out.put("pass_compute_seconds", passComputeSeconds);
      out.put("breakdown", breakdown.secondsByComponentLabel());
      out.put("primitives", breakdown.secondsByPrimitiveName());
      out.put("passes", answer.length);
      out.put("prompt_tokens", promptTokens.length);
      out.put("backend", compute.name());
      out.put("engine", local.engine().name());
      out.put("threads", compute.threads());
      out.put("log_n", params.logN());
      out.put("levels", params.maxLevel());
      out.put("galois_keys", local.galoisKeys());
      out.put("refresh", refresh.name());
      out.put("refresh_bytes", local.refreshStats().bytesOut() + local.refreshStats().bytesBack());
      out.put("setup_seconds", setupSeconds);
      System.out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(out));
    }
    return answerText.equals(referenceText) ? 0 : 3;
  }

}
