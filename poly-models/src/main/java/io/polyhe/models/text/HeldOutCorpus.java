package io.polyhe.models.text;

import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.format.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Held-out documents and how they are cut into evaluation windows, exactly as {@code
 * training/fortunes.py} does: each document is {@code [bos] + ids(text) + [eos]}, cut into
 * consecutive windows of at most {@code context} inputs; window {@code k} feeds {@code
 * doc[k·context, (k+1)·context)} and predicts each next token. Every target is one character or
 * the closing end-of-text, so bits per target are bits per character for a character-level
 * model. Immutable.
 *
 * @param name a label for reports
 * @param texts the documents
 */
public record HeldOutCorpus(String name, List<String> texts) {

  /** Resource of the fortune corpus's held-out split (one {@code {"text"}} object per line). */
  public static final String FORTUNES = "/corpus/fortunes-heldout.jsonl";

  /** Copies the list. */
  public HeldOutCorpus {
    texts = List.copyOf(texts);
  }

  /**
   * One window: {@code targets[i]} follows {@code inputs[i]}.
   *
   * @param inputs token ids fed
   * @param targets the next token of each
   */
  public record Window(int[] inputs, int[] targets) {}

  /**
   * The held-out split of Debian's fortunes (307 fortunes, {@code sha256(text)[0] < 5}).
   *
   * @throws IOException if the resource is missing or malformed
   */
  public static HeldOutCorpus fortunes() throws IOException {
    List<String> texts = new ArrayList<>();
    try (InputStream in = HeldOutCorpus.class.getResourceAsStream(FORTUNES)) {
      if (in == null) {
        throw new IOException("resource " + FORTUNES + " is missing from the classpath");
      }
      int line = 0;
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        line++;
        if (!l.isEmpty()) {
          StrictJson j = StrictJson.parseObject(FORTUNES + ":" + line, l);
          j.requireOnly(java.util.Set.of("text"));
          texts.add(j.string("text"));
        }
      }
    }
    if (texts.isEmpty()) {
      throw new ModelFormatException(FORTUNES, "no held-out texts");
    }
    return new HeldOutCorpus("fortunes held-out", texts);
  }

  /**
   * The evaluation windows of every document, in order.
   *
   * @param encode the tokenizer
   * @throws IllegalArgumentException if {@code context < 1} or a text cannot be tokenised
   */
  public List<Window> windows(Function<String, int[]> encode, int bos, int eos, int context) {
    if (context < 1) {
      throw new IllegalArgumentException("context must be positive, got " + context);
    }
    List<Window> out = new ArrayList<>();
    for (String t : texts) {
      int[] ids = encode.apply(t);
      int[] doc = new int[ids.length + 2];
      doc[0] = bos;
      System.arraycopy(ids, 0, doc, 1, ids.length);
      doc[doc.length - 1] = eos;
      for (int s = 0; s < doc.length - 1; s += context) {
        int n = Math.min(context, doc.length - 1 - s);
        int[] in = new int[n];
        int[] tg = new int[n];
        System.arraycopy(doc, s, in, 0, n);
        System.arraycopy(doc, s + 1, tg, 0, n);
        out.add(new Window(in, tg));
      }
    }
    return out;
  }
}
