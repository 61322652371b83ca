package io.polyhe.models.text;

import io.polyhe.models.config.Attention;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import java.util.List;

/**
 * Bits per character of a polynomial text model and its softmax teacher on held-out windows
 * ({@link HeldOutCorpus}): the mean over all targets of {@code -log2 softmax(logits)[target]},
 * logits from the teacher-forced pass. Windows run in parallel on the common pool. Stateless.
 */
public final class TextEvaluator {
  private TextEvaluator() {}

  private record Sums(double teacher, double exact, double poly, double diff, long n) {
    Sums plus(Sums o) {
      return new Sums(teacher + o.teacher, exact + o.exact, poly + o.poly, Math.max(diff, o.diff), n + o.n);
    }
  }

  /**
   * Evaluates {@code student} (exact and poly-plain) and {@code teacher} (exact) on {@code windows}.
   *
   * @throws IllegalArgumentException if the student is not power-softmax, the teacher not softmax,
   *     their vocabularies differ, or there are no windows
   */
  public static TextEvalReport evaluate(Transformer student, Transformer teacher, List<HeldOutCorpus.Window> windows) {
    if (!(student.config().attention() instanceof Attention.PowerSoftmax)) {
      throw new IllegalArgumentException("model '" + student.config().name() + "' is not a power-softmax model");
    }
    if (!(teacher.config().attention() instanceof Attention.Softmax)) {
      throw new IllegalArgumentException("teacher '" + teacher.config().name() + "' is not a softmax model");
    }
    if (!student.config().tokenizer().equals(teacher.config().tokenizer())) {
      throw new IllegalArgumentException("the model and its teacher use different tokenizers");
    }
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("no evaluation windows");
    }
    Sums s = windows.parallelStream()
        .map(w -> {
          double[][] t = teacher.logits(w.inputs(), Mode.EXACT);
          double[][] e = student.logits(w.inputs(), Mode.EXACT);
          double[][] p = student.logits(w.inputs(), Mode.POLY_PLAIN);
          double diff = 0;
          for (int i = 0; i < e.length; i++) {
            for (int j = 0; j < e[i].length; j++) {
              diff = Math.max(diff, Math.abs(e[i][j] - p[i][j]));
            }
          }
          return new Sums(nll(t, w.targets()), nll(e, w.targets()), nll(p, w.targets()), diff, w.targets().length);
        })
        .reduce(new Sums(0, 0, 0, 0, 0), Sums::plus);
    double bits = s.n() * Math.log(2);
    return new TextEvalReport(student.config().name(), teacher.config().name(), s.n(), s.teacher() / bits,
        s.exact() / bits, s.poly() / bits, s.diff());
  }

  /** Sum over positions of {@code -ln softmax(logits[i])[targets[i]]}. */
  static double nll(double[][] logits, int[] targets) {
    double sum = 0;
    for (int i = 0; i < targets.length; i++) {
      double[] l = logits[i];
      double max = Double.NEGATIVE_INFINITY;
      for (double v : l) {
        max = Math.max(max, v);
      }
      double z = 0;
      for (double v : l) {
        z += Math.exp(v - max);
      }
      sum += max + Math.log(z) - l[targets[i]];
    }
    return sum;
  }
}
