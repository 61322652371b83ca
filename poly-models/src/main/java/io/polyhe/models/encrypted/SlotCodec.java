package io.polyhe.models.encrypted;

/**
 * The client's side of the layout: token ids to the slot vector it encrypts (the rows of {@link
 * FoldedWeights#inputRow}), and decrypted slots back to logits. Needs only the embedding tables and
 * the layout, which a manifest carries. Immutable; thread-safe.
 */
public final class SlotCodec {
  private final FoldedWeights weights;
  private final SlotLayout layout;
  private final int vocab;

  public SlotCodec(FoldedWeights weights, SlotLayout layout, int vocab) {
    if (vocab > layout.rowStride()) {
      throw new IllegalArgumentException("vocabulary of " + vocab + " does not fit a row of " + layout.rowStride());
    }
    this.weights = weights;
    this.layout = layout;
    this.vocab = vocab;
  }

  public SlotLayout layout() {
    return layout;
  }

  /**
   * The slot vector of {@code tokens} (one row per position).
   *
   * @throws IllegalArgumentException if there are no tokens, more than the context, or an id is out
   *     of range
   */
  public double[] pack(int[] tokens) {
    if (tokens.length == 0 || tokens.length > layout.tokens()) {
      throw new IllegalArgumentException("need 1.." + layout.tokens() + " tokens, got " + tokens.length);
    }
    double[][] rows = new double[tokens.length][];
    for (int t = 0; t < tokens.length; t++) {
      rows[t] = weights.inputRow(tokens[t], t);
    }
    return layout.pack(rows);
  }

  /** Logits {@code [tokens][vocab]} from the decrypted slots of the LM head's output. */
  public double[][] unpackLogits(double[] slots, int tokens) {
    if (slots.length < layout.slots()) {
      throw new IllegalArgumentException("expected " + layout.slots() + " slot values, got " + slots.length);
    }
    if (tokens < 1 || tokens > layout.tokens()) {
      throw new IllegalArgumentException("cannot unpack " + tokens + " of " + layout.tokens() + " rows");
    }
    double[][] out = new double[tokens][vocab];
    for (int t = 0; t < tokens; t++) {
      System.arraycopy(slots, t * layout.rowStride(), out[t], 0, vocab);
    }
    return out;
  }
}
