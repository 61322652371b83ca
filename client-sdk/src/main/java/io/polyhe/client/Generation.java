package io.polyhe.client;

import java.util.List;

/**
 * Greedy generation over encrypted forward passes.
 *
 * @param text the generated text
 * @param tokens the generated token ids (end-of-sequence included when produced)
 * @param passes every forward pass, in order (logits and breakdown of each)
 * @param seconds wall time
 */
public record Generation(String text, int[] tokens, List<InferenceResult> passes, double seconds) {

  public Generation {
    passes = List.copyOf(passes);
  }

  /** Refreshes over all passes. */
  public int refreshes() {
    return passes.stream().mapToInt(InferenceResult::refreshes).sum();
  }

  /** Ciphertext bytes sent over all passes. */
  public long bytesUp() {
    return passes.stream().mapToLong(InferenceResult::bytesUp).sum();
  }

  /** Ciphertext bytes received over all passes. */
  public long bytesDown() {
    return passes.stream().mapToLong(InferenceResult::bytesDown).sum();
  }
}
