package io.polyhe.cli.models;

import io.polyhe.models.Model;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tasks.EvalReport;
import io.polyhe.models.tasks.Evaluator;
import io.polyhe.models.tasks.TaskExample;
import io.polyhe.models.tasks.TaskScore;
import io.polyhe.models.tasks.TestSet;
import io.polyhe.models.text.HeldOutCorpus;
import io.polyhe.models.text.TextEvalReport;
import io.polyhe.models.text.TextEvaluator;
import io.polyhe.models.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe models eval}: for a task model, accuracy of the softmax baseline, power-softmax
 * exact and poly-plain on the held-out test set; for a text model (a {@code tokenizer.json}
 * model such as {@code fortune}), held-out bits per character of the softmax teacher, power exact
 * and poly-plain on the fortune corpus's held-out split; both with the largest exact vs
 * poly-plain logit difference. With {@code --json} the last stdout line is one JSON object.
 */
@Command(name = "eval", description = "Evaluate a polynomial model against its softmax baseline.", mixinStandardHelpOptions = true)
final class EvalModelsCommand implements Callable<Integer> {

  @Option(names = "--model", description = "Shipped model name or model directory (default: ${DEFAULT-VALUE}).", defaultValue = ShippedModels.DEFAULT)
  String model;

  @Option(names = "--baseline", description = "Softmax baseline: shipped name or directory (default: the model's twin from the index).")
  String baseline;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    try {
      Transformer power = load(model);
      String baselineName = baseline;
      if (baselineName == null) {
        if (isDirectory(model)) {
          throw new IllegalArgumentException("--baseline is required when --model is a directory");
        }
        baselineName = ShippedModels.entry(model).baseline()
            .orElseThrow(() -> new IllegalArgumentException("model '" + model + "' has no baseline; pass --baseline"));
      }
      Transformer base = load(baselineName);
      if (power.config().tokenizer().kind().equals(io.polyhe.models.config.TokenizerSpec.TOKENIZER_JSON)) {
        return text(power, base);
      }
      List<TaskExample> tests = TestSet.shipped();
      long t0 = System.nanoTime();
      EvalReport r = Evaluator.evaluate(power, base, tests);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("model %s, baseline %s: %d held-out prompts, %.1f s%n", r.model(), r.baseline(), tests.size(), seconds);
      System.out.printf("%-8s %5s %12s %15s %14s %18s%n", "task", "n", "baseline_acc", "power_exact_acc", "poly_plain_acc", "max_abs_logit_diff");
      r.tasks().forEach((task, s) -> print(task.id(), s));
      if (json) {
        System.out.println(r.toJson());
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("polyhe models eval: " + e.getMessage());
      return 1;
    }
  }

  private int text(Transformer power, Transformer teacher) throws IOException {
    HeldOutCorpus corpus = HeldOutCorpus.fortunes();
    List<HeldOutCorpus.Window> windows;
    try (HfTokenizer tok = new HfTokenizer(power.config().tokenizer())) {
      windows = corpus.windows(tok::encodeWithoutSpecialTokens, tok.bos(), tok.eos(), power.config().maxPositions());
    }
    long t0 = System.nanoTime();
    TextEvalReport r = TextEvaluator.evaluate(power, teacher, windows);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("model %s, teacher %s: %s, %d documents, %d characters, %.1f s%n", r.model(), r.teacher(),
        corpus.name(), corpus.texts().size(), r.tokens(), seconds);
    System.out.printf("%12s %16s %15s %18s%n", "teacher_bpc", "power_exact_bpc", "poly_plain_bpc", "max_abs_logit_diff");
    System.out.printf("%12.4f %16.4f %15.4f %18.3e%n", r.teacherBpc(), r.powerExactBpc(), r.polyPlainBpc(),
        r.maxAbsLogitDiff());
    if (json) {
      System.out.println(r.toJson());
    }
    return 0;
  }

  private static void print(String task, TaskScore s) {
    System.out.printf("%-8s %5d %12.2f %15.2f %14.2f %18.3e%n", task, s.n(), s.baselineAcc(), s.powerExactAcc(), s.polyPlainAcc(), s.maxAbsLogitDiff());
  }

  private static boolean isDirectory(String nameOrDir) {
    return Files.isDirectory(Path.of(nameOrDir));
  }

  private static Transformer load(String nameOrDir) throws IOException {
    return ShippedModels.loadShippedOrDirectory(nameOrDir);
  }
}
