package io.polyhe.models.config;

import java.util.HashSet;
import java.util.List;

/**
 * Which tokenizer a model uses.
 *
 * @param kind {@code "task-chars"} (one token per character of {@code vocab}; the shipped
 *     task models) or {@code "none"} (token ids only; shape-only models)
 * @param vocab the symbol of every token id, for {@code task-chars}; empty for {@code none}
 * @param pad padding id
 * @param bos beginning-of-sequence id
 * @param eos end-of-sequence id
 */
public record TokenizerSpec(String kind, List<String> vocab, int pad, int bos, int eos) {

  /** Kind of the shipped task models. */
  public static final String TASK_CHARS = "task-chars";

  /** Kind of models without a text tokenizer. */
  public static final String NONE = "none";

  /** @throws IllegalArgumentException on an unknown kind, non-single-character or repeated symbols */
  public TokenizerSpec {
    vocab = List.copyOf(vocab);
    switch (kind) {
      case TASK_CHARS -> {
        if (new HashSet<>(vocab).size() != vocab.size()) {
          throw new IllegalArgumentException("tokenizer vocabulary repeats a symbol");
        }
        for (String s : vocab) {
          if (s.codePointCount(0, s.length()) != 1) {
            throw new IllegalArgumentException("task-chars symbols are single characters, got '" + s + "'");
          }
        }
        for (int id : new int[] {pad, bos, eos}) {
          if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("special token id " + id + " outside the vocabulary");
          }
        }
      }
      case NONE -> {
        if (!vocab.isEmpty()) {
          throw new IllegalArgumentException("tokenizer kind none has no vocabulary");
        }
      }
      default -> throw new IllegalArgumentException("unknown tokenizer kind '" + kind + "'");
    }
  }
}
