package io.polyhe.models.config;

/**
 * How a block is wired and where positions come from.
 *
 * <ul>
 *   <li>{@link PolyDecoder}: polyhe's own decoder ({@code training/model.py}): learned absolute
 *       position embeddings added to the token embedding, sequential residual {@code x += Attn(Norm
 *       x); x += FFN(Norm x)}.
 *   <li>{@link GptNeoX}: Hugging Face's {@code GPTNeoXForCausalLM} (the Pythia family): no
 *       position embedding, rotary embeddings on the first {@link GptNeoX#rotaryDims} dimensions
 *       of each head's queries and keys, and (usually) the parallel residual {@code x + Attn(LN1
 *       x) + MLP(LN2 x)}.
 * </ul>
 */
public sealed interface Architecture permits Architecture.PolyDecoder, Architecture.GptNeoX {

  /** Learned positions, sequential residual. */
  record PolyDecoder() implements Architecture {}

  /**
   * GPT-NeoX.
   *
   * @param rotaryPct {@code rotary_pct}: the fraction of each head's dimensions that rotate, in
   *     {@code [0, 1]}
   * @param rotaryBase {@code rotary_emb_base} (positive): dimension pair {@code i} of {@code r}
   *     rotates by {@code t * base^(-2i/r)} at position {@code t}
   * @param parallelResidual {@code use_parallel_residual}
   */
  record GptNeoX(double rotaryPct, double rotaryBase, boolean parallelResidual) implements Architecture {
    /** @throws IllegalArgumentException if a field is out of range */
    public GptNeoX {
      if (!(rotaryPct >= 0 && rotaryPct <= 1)) {
        throw new IllegalArgumentException("rotary_pct must be in [0, 1], got " + rotaryPct);
      }
      if (!(rotaryBase > 0 && Double.isFinite(rotaryBase))) {
        throw new IllegalArgumentException("rotary_emb_base must be positive, got " + rotaryBase);
      }
    }

    /** Rotating dimensions per head, {@code int(headDim * rotary_pct)} as Hugging Face computes it. */
    public int rotaryDims(int headDim) {
      return (int) (headDim * rotaryPct);
    }
  }
}
