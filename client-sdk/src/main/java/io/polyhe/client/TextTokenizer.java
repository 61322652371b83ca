package io.polyhe.client;

import io.polyhe.proto.v1.Tokenizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's text tokenizer as its manifest describes it ({@code task-chars}: one token per
 * character of the vocabulary), from {@link ClientModel#tokenizer()}. Immutable; thread-safe.
 */
public final class TextTokenizer {
  private final List<String> vocab;
  private final Map<Integer, Integer> ids = new HashMap<>();
  private final int bos;
  private final int eos;

  /** @throws IllegalArgumentException for a kind without text, or a malformed vocabulary */
  TextTokenizer(Tokenizer spec) {
    if (!"task-chars".equals(spec.getKind())) {
      throw new IllegalArgumentException("tokenizer kind '" + spec.getKind() + "' has no text form");
    }
    this.vocab = List.copyOf(spec.getVocabList());
    for (int i = 0; i < vocab.size(); i++) {
      String s = vocab.get(i);
      if (s.codePointCount(0, s.length()) != 1 || ids.put(s.codePointAt(0), i) != null) {
        throw new IllegalArgumentException("tokenizer symbol " + i + " is not a distinct single character");
      }
    }
    if (spec.getBos() >= vocab.size() || spec.getEos() >= vocab.size()) {
      throw new IllegalArgumentException("special token outside the vocabulary");
    }
    this.bos = spec.getBos();
    this.eos = spec.getEos();
  }

  public int bos() {
    return bos;
  }

  public int eos() {
    return eos;
  }

  /** @throws IllegalArgumentException naming the first character outside the vocabulary */
  public int[] encode(String text) {
    return text.codePoints().map(cp -> {
      Integer id = ids.get(cp);
      if (id == null) {
        throw new IllegalArgumentException("character '" + Character.toString(cp) + "' is not in the vocabulary "
            + vocab);
      }
      return id;
    }).toArray();
  }

  /** @throws IllegalArgumentException for an id outside the vocabulary */
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
