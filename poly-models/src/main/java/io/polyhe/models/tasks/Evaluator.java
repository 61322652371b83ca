package io.polyhe.models.tasks;

import io.polyhe.models.config.Attention;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a power-softmax model (exact and poly-plain) and its softmax baseline on a test set.
 *
 * <p>A prompt counts as correct when greedy generation produces exactly the reference answer
 * followed by EOS; generation is cut at {@code answer length + 1} tokens, where the verdict is
 * already certain. The logit difference is measured on the teacher-forced reference sequence so
 * that both passes see the same tokens. Examples run in parallel on the common pool. Stateless.
 */
public final class Evaluator {
  private Evaluator() {}

  private record Outcome(Task task, boolean baseline, boolean exact, boolean poly, double diff) {}

  /**
   * Evaluates {@code power} and {@code baseline} on {@code examples}.
   *
   * @throws IllegalArgumentException if {@code power} is not a power-softmax model with
   *     approximations, {@code baseline} is not a softmax model, or their tokenizers differ
   */
  public static EvalReport evaluate(Transformer power, Transformer baseline, List<TaskExample> examples) {
    if (!(power.config().attention() instanceof Attention.PowerSoftmax)) {
      throw new IllegalArgumentException("model '" + power.config().name() + "' is not a power-softmax model");
    }
    if (!(baseline.config().attention() instanceof Attention.Softmax)) {
      throw new IllegalArgumentException("baseline '" + baseline.config().name() + "' is not a softmax model");
    }
    if (!power.config().tokenizer().equals(baseline.config().tokenizer())) {
      throw new IllegalArgumentException("the model and its baseline use different tokenizers");
    }
    TaskTokenizer tok = new TaskTokenizer(power.config().tokenizer());
    List<Outcome> outcomes =
        examples.parallelStream().map(e -> score(power, baseline, tok, e)).toList();
    Map<Task, TaskScore> scores = new EnumMap<>(Task.class);
    for (Task t : Task.values()) {
      List<Outcome> mine = outcomes.stream().filter(o -> o.task() == t).toList();
      if (mine.isEmpty()) {
        continue;
      }
      int n = mine.size();
      scores.put(
          t,
          new TaskScore(
              n,
              percent(mine.stream().filter(Outcome::baseline).count(), n),
              percent(mine.stream().filter(Outcome::exact).count(), n),
              percent(mine.stream().filter(Outcome::poly).count(), n),
              mine.stream().mapToDouble(Outcome::diff).max().orElse(0)));
    }
    return new EvalReport(power.config().name(), baseline.config().name(), scores);
  }

  private static double percent(long k, int n) {
    return 100.0 * k / n;
  }

  private static Outcome score(Transformer power, Transformer baseline, TaskTokenizer tok, TaskExample e) {
    int[] prompt = tok.encode(e.prompt());
    int[] expected = tok.encode(e.answer() + tok.decode(new int[] {tok.eos()}));
    int maxNew = expected.length;
    boolean b = Arrays.equals(GreedyGenerator.generate(baseline, Mode.EXACT, prompt, maxNew, tok.eos()), expected);
    boolean x = Arrays.equals(GreedyGenerator.generate(power, Mode.EXACT, prompt, maxNew, tok.eos()), expected);
    boolean p = Arrays.equals(GreedyGenerator.generate(power, Mode.POLY_PLAIN, prompt, maxNew, tok.eos()), expected);
    int[] full = tok.encode(e.prompt() + e.answer() + tok.decode(new int[] {tok.eos()}));
    double[][] le = power.logits(full, Mode.EXACT);
    double[][] lp = power.logits(full, Mode.POLY_PLAIN);
    double diff = 0;
    for (int i = 0; i < le.length; i++) {
      for (int j = 0; j < le[i].length; j++) {
        diff = Math.max(diff, Math.abs(le[i][j] - lp[i][j]));
      }
    }
    return new Outcome(e.task(), b, x, p, diff);
  }
}
