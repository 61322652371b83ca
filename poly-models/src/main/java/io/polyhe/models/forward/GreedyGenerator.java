package io.polyhe.models.forward;

import java.util.Arrays;

/** Greedy (argmax) generation. Stateless; thread-safe. */
public final class GreedyGenerator {
  private GreedyGenerator() {}

  /**
   * Feeds {@code prompt}, then repeatedly appends the most likely next token until {@code eos} is
   * produced, {@code maxNew} tokens have been produced, or the context is full.
   *
   * @return the generated tokens, {@code eos} included when it was produced
   * @throws IllegalArgumentException if the prompt is empty, too long or holds invalid ids
   */
  public static int[] generate(Transformer model, Mode mode, int[] prompt, int maxNew, int eos) {
    if (prompt.length == 0 || prompt.length > model.config().maxPositions()) {
      throw new IllegalArgumentException(
          "prompt of " + prompt.length + " tokens; need 1.." + model.config().maxPositions());
    }
    DecoderState s = model.start(mode);
    double[] logits = null;
    for (int t : prompt) {
      logits = s.append(t);
    }
    int[] out = new int[maxNew];
    int n = 0;
    while (n < maxNew) {
      int next = argmax(logits);
      out[n++] = next;
      if (next == eos || s.length() == model.config().maxPositions()) {
        break;
      }
      logits = s.append(next);
    }
    return Arrays.copyOf(out, n);
  }

  /** Index of the largest entry (the first on ties). */
  public static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
