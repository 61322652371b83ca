package io.polyhe.client;

import io.polyhe.proto.v1.Tokenizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's text tokenizer as its manifest describes it, from {@link ClientModel#tokenizer()}:
 * {@code task-chars} (one token per character of the vocabulary) or a {@code tokenizer.json} of
 * the character-level subset {@link CharLevelTokenizerJson} runs (added tokens matched verbatim,
 * longest first, then one token per character), which gives the ids the Hugging Face {@code
 * tokenizers} library gives for that file: {@link #encode} with the special tokens its
 * post-processor adds, as Hugging Face does by default ({@code fortune}: {@code <|endoftext|>}
 * first, as in training), {@link #encodeWithoutSpecialTokens} without. Any other {@code tokenizer.json} is refused on
 * construction, naming the field. Text a vocabulary cannot represent is refused, never dropped.
 * Immutable; thread-safe.
 */
public final class TextTokenizer {
  private final String kind;
  private final List<String> vocab;
  private final Map<Integer, Integer> charIds = new HashMap<>();
  private final int[] added;
  private final int[] before;
  private final int[] after;
  private final int bos;
  private final int eos;

  /**
   * @throws IllegalArgumentException for a kind without text, a tokenizer.json outside the subset,
   *     a malformed vocabulary, or a vocabulary that disagrees with the definition
   */
  TextTokenizer(Tokenizer spec) {
    this.kind = spec.getKind();
    switch (kind) {
      case "task-chars" -> {
        this.vocab = List.copyOf(spec.getVocabList());
        this.added = new int[0];
        this.before = new int[0];
        this.after = new int[0];
        for (int i = 0; i < vocab.size(); i++) {
          String s = vocab.get(i);
          if (s.codePointCount(0, s.length()) != 1 || charIds.put(s.codePointAt(0), i) != null) {
            throw new IllegalArgumentException("tokenizer symbol " + i + " is not a distinct single character");
          }
        }
      }
      case "tokenizer.json" -> {
        CharLevelTokenizerJson def = CharLevelTokenizerJson.parse(spec.getDefinition());
        if (!def.vocab().equals(spec.getVocabList())) {
          throw new IllegalArgumentException("manifest's tokenizer vocabulary (" + spec.getVocabCount()
              + " tokens) differs from its tokenizer.json (" + def.vocab().size() + ")");
        }
        this.vocab = def.vocab();
        this.added = def.added();
        this.before = def.before();
        this.after = def.after();
        java.util.Set<Integer> addedIds = java.util.Arrays.stream(added).boxed().collect(
            java.util.stream.Collectors.toSet());
        for (int i = 0; i < vocab.size(); i++) {
          String s = vocab.get(i);
          // Multi-character model tokens are unreachable without merges; added tokens are matched whole.
          if (!addedIds.contains(i) && s.codePointCount(0, s.length()) == 1) {
            charIds.putIfAbsent(s.codePointAt(0), i);
          }
        }
      }
      default -> throw new IllegalArgumentException("tokenizer kind '" + kind + "' has no text form");
    }
    if (spec.getBos() >= vocab.size() || spec.getEos() >= vocab.size()) {
      throw new IllegalArgumentException("special token outside the vocabulary");
    }
    this.bos = spec.getBos();
    this.eos = spec.getEos();
  }

  /** {@code task-chars} or {@code tokenizer.json}. */
  public String kind() {
    return kind;
  }

  public int bos() {
    return bos;
  }

  public int eos() {
    return eos;
  }

  /** Number of token ids. */
  public int size() {
    return vocab.size();
  }

  /**
   * Token ids of a prompt: the text's, with the special tokens the tokenizer's post-processor puts
   * around it.
   *
   * @throws IllegalArgumentException naming the first character outside the vocabulary
   */
  public int[] encode(String text) {
    int[] own = encodeWithoutSpecialTokens(text);
    int[] out = new int[before.length + own.length + after.length];
    System.arraycopy(before, 0, out, 0, before.length);
    System.arraycopy(own, 0, out, before.length, own.length);
    System.arraycopy(after, 0, out, before.length + own.length, after.length);
    return out;
  }

  /** @throws IllegalArgumentException naming the first character outside the vocabulary */
  public int[] encodeWithoutSpecialTokens(String text) {
    int[] out = new int[text.length()];
    int n = 0;
    int i = 0;
    next:
    while (i < text.length()) {
      for (int a : added) {
        if (text.startsWith(vocab.get(a), i)) {
          out[n++] = a;
          i += vocab.get(a).length();
          continue next;
        }
      }
      int cp = text.codePointAt(i);
      Integer id = charIds.get(cp);
      if (id == null) {
        throw new IllegalArgumentException("character '" + Character.toString(cp) + "' is not in the vocabulary"
            + (vocab.size() <= 64 ? " " + vocab : " of " + vocab.size() + " tokens"));
      }
      out[n++] = id;
      i += Character.charCount(cp);
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The tokens' strings joined (special tokens included). @throws IllegalArgumentException for an id outside the vocabulary */
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
