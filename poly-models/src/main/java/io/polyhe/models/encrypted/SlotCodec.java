package io.polyhe.models.encrypted;

/**
 * The client's side of the layout: token ids to the slot vector it encrypts (rows of an {@link
 * InputEmbedding}), and decrypted slots back to logits. Needs only the embedding tables and the
 * layout, which a manifest carries. Immutable; thread-safe.
 */
public final class SlotCodec {
  private final InputEmbedding embedding;
  private final SlotLayout layout;
  private final int vocab;

  /**
   * @throws IllegalArgumentException if the vocabulary does not fit a row, or the embedding's
   *     width or context differ from the layout's
   */
  public SlotCodec(InputEmbedding embedding, SlotLayout layout, int vocab) {
    if (vocab > layout.rowStride()) {
      throw new IllegalArgumentException("vocabulary of " + vocab + " does not fit a row of " + layout.rowStride());
    }
    if (embedding.width() != layout.width() || embedding.context() < layout.tokens()) {
      throw new IllegalArgumentException("embedding of width " + embedding.width() + " and context "
          + embedding.context() + " does not match the layout " + layout.toJson());
    }
    this.embedding = embedding;
    this.layout = layout;
    this.vocab = vocab;
  }

  /** The codec of a model whose folded weights are at hand (tests, the in-process run). */
  public SlotCodec(FoldedWeights weights, SlotLayout layout, int vocab) {
    this(weights.inputEmbedding(), layout, vocab);
  }

  public SlotLayout layout() {
    return layout;
  }

  /**
   * The slot vector of {@code tokens} (one row per position) in a one-ciphertext layout.
   *
   * @throws IllegalArgumentException if there are no tokens, more than the context, or an id is out
   *     of range
   * @throws IllegalStateException if the layout takes more than one ciphertext ({@link #packTiles})
   */
  public double[] pack(int[] tokens) {
    double[][] tiles = packTiles(tokens);
    if (layout.ciphertexts() > 1) {
      throw new IllegalStateException("the layout takes " + layout.ciphertexts() + " ciphertexts: pack tiles");
    }
    return tiles[0];
  }

  /**
   * The slot vectors of {@code tokens}, one per ciphertext they take.
   *
   * @throws IllegalArgumentException if there are no tokens, more than the context, or an id is out
   *     of range
   */
  public double[][] packTiles(int[] tokens) {
    if (tokens.length == 0 || tokens.length > layout.tokens()) {
      throw new IllegalArgumentException("need 1.." + layout.tokens() + " tokens, got " + tokens.length);
    }
    double[][] rows = new double[tokens.length][];
    for (int t = 0; t < tokens.length; t++) {
      rows[t] = embedding.row(tokens[t], t);
    }
    return layout.packTiles(rows);
  }

  /** Logits {@code [tokens][vocab]} from the decrypted slots of the LM head's output (one ciphertext). */
  public double[][] unpackLogits(double[] slots, int tokens) {
    return unpackLogitsTiles(new double[][] {slots}, tokens);
  }

  /** Logits {@code [tokens][vocab]} from the decrypted slots of each ciphertext of the LM head's output. */
  public double[][] unpackLogitsTiles(double[][] tileSlots, int tokens) {
    if (tokens < 1 || tokens > layout.tokens()) {
      throw new IllegalArgumentException("cannot unpack " + tokens + " of " + layout.tokens() + " rows");
    }
    int tiles = layout.ciphertexts(tokens);
    if (tileSlots.length < tiles) {
      throw new IllegalArgumentException(tokens + " rows need " + tiles + " ciphertexts, got " + tileSlots.length);
    }
    double[][] out = new double[tokens][vocab];
    for (int t = 0; t < tokens; t++) {
      double[] v = tileSlots[t / layout.rowsPerCiphertext()];
      if (v.length < layout.slots()) {
        throw new IllegalArgumentException("expected " + layout.slots() + " slot values, got " + v.length);
      }
      int base = (t % layout.rowsPerCiphertext()) * layout.rowStride();
      System.arraycopy(v, base, out[t], 0, vocab);
    }
    return out;
  }
}
