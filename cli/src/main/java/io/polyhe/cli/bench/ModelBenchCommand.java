package io.polyhe.cli.bench;

import com.google.gson.GsonBuilder;
import io.polyhe.nativebackend.NativePaths;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.cli.resident.ResidentPassEngine;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.local.LocalInference;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.Transformer;
import io.polyhe.cli.run.PromptText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench model}: the time of one encrypted forward pass of a model (shipped, or a
 * directory such as a shape-only model from {@code polyhe models shape-only}) over T tokens (a task
 * prompt's tokens repeated up to T, or fixed token ids for a model without a task tokenizer: speed
 * does not depend on which tokens, but such a sequence is not from the training distribution, so its
 * error figures are only indicative), cold (plain weights encoded on first use) and warm (best of the
 * repeats, the usual benchmark figure on a shared machine), with the breakdown of the best pass and
 * the error against poly-plain. Setup (planning, key generation) is reported apart.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = "Time encrypted forward passes of a shipped model (in one process, client-aided refresh).")
final class ModelBenchCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = ShippedModels.DEFAULT,
      description = "Shipped model name or model directory (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--tokens", defaultValue = "32", description = "Rows T of the pass (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--repeat", defaultValue = "2",
      description = "Warm passes after the cold one; 0 reports the cold pass (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--backend", description = "java, native, ... (default: best available); native-resident"
      + " (or cuda-resident) runs the pass with ciphertexts, keys and weights resident on that device.")
  String backend;

  @Option(names = "--threads", description = "Backend threads (default: all cores).")
  Integer threads;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Option(names = "--rotation-keys", description = "Galois keys for at most this many rotation steps; the"
      + " pass composes the others from them (default: " + EncryptedTransformer.MAX_ROTATION_KEYS
      + " where that keeps the evaluation keys under 100 MB, as tiny's and fortune's, else every step;"
      + " more keys, faster passes).")
  Integer rotationKeys;

  @Option(names = "--profile", defaultValue = "polyhe",
      description = "CKKS profile: polyhe (hybrid key switching, two special primes) or seal (Microsoft SEAL's:"
          + " one special prime, one prime per digit, generator 3), as serve --format seal compiles models"
          + " (default: ${DEFAULT-VALUE}).")
  String profile;

  @Override
  public Integer call() throws IOException {
    Transformer transformer = ShippedModels.loadShippedOrDirectory(model);
    if (tokens < 1 || tokens > transformer.config().maxPositions() || repeat < 0) {
      throw new IllegalArgumentException("--tokens must be in [1, " + transformer.config().maxPositions()
          + "] and --repeat at least 0");
    }
    int t = threads == null ? ComputeBackends.defaultThreads() : threads;
    boolean resident = ResidentPassEngine.selects(backend);
    // A resident pass still encrypts, decrypts and refreshes on the host: the best host backend.
    ComputeBackend compute = backend == null || resident ? ComputeBackends.best(t) : ComputeBackends.create(backend, t);
    int[] input = input(transformer, tokens);
    long s0 = System.nanoTime();
    EncryptedTransformer encrypted = switch (profile) {
      case "polyhe" -> LevelPlanner.choose(transformer);
      case "seal" -> LevelPlanner.choose(transformer, LevelPlanner.SEAL_PROFILE);
      default -> throw new IllegalArgumentException("--profile must be polyhe or seal, got '" + profile + "'");
    };
    if (rotationKeys != null) {
      encrypted = encrypted.withRotationKeys(rotationKeys);
    }
    CkksParameters params = encrypted.parameters();
    try (LocalInference local = resident
        ? new LocalInference(encrypted, compute, SeedSource.secure(), ResidentPassEngine.factory(backend, t))
        : new LocalInference(encrypted, compute, SeedSource.secure())) {
      return bench(transformer, input, encrypted, params, local, compute, s0);
    }
  }

  private int bench(Transformer transformer, int[] input, EncryptedTransformer encrypted, CkksParameters params,
      LocalInference local, ComputeBackend compute, long s0) {
    double setup = (System.nanoTime() - s0) / 1e9;
    System.out.printf("polyhe bench model: %s, T=%d, %s, backend %s x%d, setup %.1f s (%d Galois keys)%n",
        transformer.config().name(), tokens, params, compute.name(), compute.threads(), setup, local.galoisKeys());
    System.out.printf("rows in %d ciphertext(s) of %d rows; plain weights %s%n", encrypted.layout().ciphertexts(tokens),
        encrypted.layout().rowsPerCiphertext(),
        encrypted.retainsEncodings() ? "encoded once and kept" : "encoded on every pass (too large to keep)");
    System.out.println("engine: " + local.engine().describe());
    LocalInference.Pass cold = local.forward(input);
    System.out.printf("cold pass %.2f s (encodes the plain weights), max |logit err| %.2e%n", cold.seconds(), cold.maxAbsError());
    List<Double> warm = new ArrayList<>();
    LocalInference.Pass last = repeat == 0 ? cold : null;
    for (int i = 0; i < repeat; i++) {
      LocalInference.Pass pass = local.forward(input);
      warm.add(pass.seconds());
      if (last == null || pass.seconds() < last.seconds()) {
        last = pass;
      }
      System.out.printf("warm pass %.2f s, %d refreshes, max |logit err| %.2e, MSE %.2e%n", pass.seconds(),
          pass.refreshes(), pass.maxAbsError(), pass.mse());
    }
    double best = last.seconds();
    System.out.print(last.breakdown().toTable());
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", transformer.config().name());
      out.put("tokens", tokens);
      out.put("backend", compute.name());
      out.put("engine", local.engine().name());
      out.put("threads", compute.threads());
      out.put("log_n", params.logN());
      out.put("levels", params.maxLevel());
      out.put("ciphertexts", encrypted.layout().ciphertexts(tokens));
      out.put("galois_keys", local.galoisKeys());
      out.put("max_rotation_keys", encrypted.maxRotationKeys().isPresent() ? encrypted.maxRotationKeys().getAsInt() : null);
      out.put("native_path", compute.name().startsWith("native") ? NativePaths.active() : null);
      out.put("profile", profile);
      out.put("dnum", params.rlwe().dnum());
      out.put("special_primes", params.rlwe().pCount());
      // Evaluation-key bytes held in memory (both halves of every digit, 8 bytes a coefficient).
      out.put("key_memory_bytes", (1L + local.galoisKeys()) * 2L * params.rlwe().dnum()
          * (params.rlwe().qCount() + params.rlwe().pCount()) * params.n() * Long.BYTES);
      out.put("setup_seconds", setup);
      out.put("cold_seconds", cold.seconds());
      out.put("pass_seconds", best); // the pass the breakdown is of: best warm, or cold without repeats
      out.put("warm_seconds", repeat == 0 ? null : best);
      out.put("forward_seconds", last.forwardSeconds()); // that pass on ciphertexts alone: the server's share
      out.put("warm_all_seconds", warm);
      out.put("refreshes", last.refreshes());
      out.put("max_abs_logit_err", last.maxAbsError());
      out.put("logit_mse", last.mse());
      out.put("breakdown", last.breakdown().secondsByComponentLabel());
      out.put("primitives", last.breakdown().secondsByPrimitiveName());
      System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(out));
    }
    return 0;
  }

  // A task prompt repeated up to T tokens, or fixed ids for a model without a task tokenizer.
  private static int[] input(Transformer transformer, int tokens) {
    int[] input = new int[tokens];
    if (transformer.config().tokenizer().kind().equals("none")) {
      for (int i = 0; i < tokens; i++) {
        input[i] = (7 * i + 3) % transformer.config().vocabSize();
      }
      return input;
    }
    int[] prompt;
    try (PromptText text = new PromptText(transformer.config().tokenizer())) {
      // A task model: a sort prompt; a text model: an English sentence (the speed does not depend on it).
      prompt = text.encode(text.defaultPrompt().equals(PromptText.TASK_PROMPT)
          ? "^S9075318642=" : "The quick brown fox jumps over the lazy dog. ");
    }
    for (int i = 0; i < tokens; i++) {
      input[i] = prompt[i % prompt.length];
    }
    return input;
  }
}
