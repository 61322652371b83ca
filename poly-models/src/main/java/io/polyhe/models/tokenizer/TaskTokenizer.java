package io.polyhe.models.tokenizer;

import io.polyhe.models.config.TokenizerSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One token per character over a fixed vocabulary (the shipped models use {@code _ ^ $ 0-9 S R C
 * | =}, with {@code _} padding, {@code ^} BOS and {@code $} EOS). {@code decode(encode(s)) == s}
 * for every string over the vocabulary. Immutable; thread-safe.
 */
public final class TaskTokenizer {
  private final List<String> vocab;
  private final Map<Integer, Integer> ids = new HashMap<>();
  private final int bos;
  private final int eos;

  /** @throws IllegalArgumentException if {@code spec} is not a {@code task-chars} tokenizer */
  public TaskTokenizer(TokenizerSpec spec) {
    if (!spec.kind().equals(TokenizerSpec.TASK_CHARS)) {
      throw new IllegalArgumentException("tokenizer kind '" + spec.kind() + "' has no text form");
    }
    this.vocab = spec.vocab();
    for (int i = 0; i < vocab.size(); i++) {
      ids.put(vocab.get(i).codePointAt(0), i);
    }
    this.bos = spec.bos();
    this.eos = spec.eos();
  }

  /** Id of the beginning-of-sequence token. */
  public int bos() {
    return bos;
  }

  /** Id of the end-of-sequence token. */
  public int eos() {
    return eos;
  }

  /** Number of token ids. */
  public int size() {
    return vocab.size();
  }

  /**
   * Token ids of {@code text}, one per character.
   *
   * @throws IllegalArgumentException naming the first character outside the vocabulary
   */
  public int[] encode(String text) {
    return text.codePoints()
        .map(cp -> {
          Integer id = ids.get(cp);
          if (id == null) {
            throw new IllegalArgumentException(
                "character '" + Character.toString(cp) + "' is not in the vocabulary " + vocab);
          }
          return id;
        })
        .toArray();
  }

  /**
   * The text of {@code tokens}.
   *
   * @throws IllegalArgumentException for an id outside the vocabulary
   */
  public String decode(int[] tokens) {
    StringBuilder b = new StringBuilder();
    for (int t : tokens) {
      if (t < 0 || t >= vocab.size()) {
        throw new IllegalArgumentException("token id " + t + " outside [0, " + vocab.size() + ")");
      }
      b.append(vocab.get(t));
    }
    return b.toString();
  }
}
