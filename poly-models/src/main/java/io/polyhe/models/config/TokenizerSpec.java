package io.polyhe.models.config;

import java.util.HashSet;
import java.util.List;

/**
 * Which tokenizer a model uses.
 *
 * @param kind {@code "task-chars"} (one token per character of {@code vocab}; the shipped
 *     task models), {@code "tokenizer.json"} (a Hugging Face {@code tokenizer.json}, held whole in
 *     {@code definition}; GPT-NeoX directories) or {@code "none"} (token ids only; shape-only
 *     models)
 * @param vocab the symbol of every token id, for {@code task-chars}; the token strings by id
 *     (the model's and the added tokens) for {@code tokenizer.json}; empty for {@code none}
 * @param pad padding id
 * @param bos beginning-of-sequence id
 * @param eos end-of-sequence id
 * @param definition the {@code tokenizer.json} text for that kind, else empty: what a client
 *     needs to tokenise exactly as the model's tokenizer does
 */
public record TokenizerSpec(String kind, List<String> vocab, int pad, int bos, int eos, String definition) {

  /** Kind of the shipped task models. */
  public static final String TASK_CHARS = "task-chars";

  /** Kind of models without a text tokenizer. */
  public static final String NONE = "none";

  /** Kind of Hugging Face directories: the {@code tokenizer.json} file. */
  public static final String TOKENIZER_JSON = "tokenizer.json";

  /** A {@code task-chars} or {@code none} tokenizer (no definition text). */
  public TokenizerSpec(String kind, List<String> vocab, int pad, int bos, int eos) {
    this(kind, vocab, pad, bos, eos, "");
  }

  /**
   * @throws IllegalArgumentException on an unknown kind, non-single-character or repeated symbols,
   *     special ids outside the vocabulary, or a definition where none belongs
   */
  public TokenizerSpec {
    vocab = List.copyOf(vocab);
    if (!kind.equals(TOKENIZER_JSON) && !definition.isEmpty()) {
      throw new IllegalArgumentException("tokenizer kind " + kind + " has no definition text");
    }
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
      case TOKENIZER_JSON -> {
        if (definition.isEmpty() || vocab.isEmpty()) {
          throw new IllegalArgumentException("a tokenizer.json tokenizer needs its text and vocabulary");
        }
        for (int id : new int[] {pad, bos, eos}) {
          if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("special token id " + id + " outside the tokenizer's "
                + vocab.size() + " tokens");
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
