package io.polyhe.cli.bench;

import com.google.gson.GsonBuilder;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.encrypted.LocalInference;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench model}: the time of one encrypted forward pass of a shipped model over T
 * tokens (a task prompt's tokens repeated up to T: speed does not depend on which tokens, but such a
 * sequence is not from the training distribution, so its error figures are only indicative), cold
 * (plain weights encoded on first use) and warm (best of the repeats, the usual benchmark figure on
 * a shared machine), with the breakdown of the best warm pass and the error against poly-plain.
 * Setup (planning, key generation) is reported apart.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = "Time encrypted forward passes of a shipped model (in one process, client-aided refresh).")
final class ModelBenchCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = ShippedModels.DEFAULT, description = "Shipped model (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--tokens", defaultValue = "32", description = "Rows T of the pass (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--repeat", defaultValue = "2", description = "Warm passes after the cold one (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--backend", description = "java, native, ... (default: best available).")
  String backend;

  @Option(names = "--threads", description = "Backend threads (default: all cores).")
  Integer threads;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    Transformer transformer = ShippedModels.load(model);
    if (tokens < 1 || tokens > transformer.config().maxPositions() || repeat < 1) {
      throw new IllegalArgumentException("--tokens must be in [1, " + transformer.config().maxPositions()
          + "] and --repeat at least 1");
    }
    int t = threads == null ? ComputeBackends.defaultThreads() : threads;
    ComputeBackend compute = backend == null ? ComputeBackends.best(t) : ComputeBackends.create(backend, t);
    int[] prompt = new TaskTokenizer(transformer.config().tokenizer()).encode("^S9075318642=");
    int[] input = new int[tokens];
    for (int i = 0; i < tokens; i++) {
      input[i] = prompt[i % prompt.length];
    }
    long s0 = System.nanoTime();
    EncryptedTransformer encrypted = LevelPlanner.choose(transformer);
    CkksParameters params = encrypted.parameters();
    LocalInference local = new LocalInference(encrypted, compute, SeedSource.secure());
    double setup = (System.nanoTime() - s0) / 1e9;
    System.out.printf("polyhe bench model: %s, T=%d, %s, backend %s x%d, setup %.1f s (%d Galois keys)%n",
        model, tokens, params, compute.name(), compute.threads(), setup, local.galoisKeys());
    LocalInference.Pass cold = local.forward(input);
    System.out.printf("cold pass %.2f s (encodes the plain weights), max |logit err| %.2e%n", cold.seconds(), cold.maxAbsError());
    List<Double> warm = new ArrayList<>();
    LocalInference.Pass last = null;
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
      out.put("model", model);
      out.put("tokens", tokens);
      out.put("backend", compute.name());
      out.put("threads", compute.threads());
      out.put("log_n", params.logN());
      out.put("setup_seconds", setup);
      out.put("cold_seconds", cold.seconds());
      out.put("warm_seconds", best);
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
}
