package io.polyhe.models.config;

import java.util.Optional;

/**
 * The architecture of one decoder-only, pre-norm model (DESIGN.md sections 4 and 4a): blocks wired
 * as {@link Architecture} says (polyhe's decoder: learned positions, {@code x += Attn(Norm(x)); x +=
 * FFN(Norm(x))}; GPT-NeoX: rotary positions, parallel or sequential residual), then a final norm
 * and the LM head; all projections have biases except the LM head.
 *
 * <p>Invariants: all sizes positive; {@code hiddenSize} divisible by {@code numHeads}; a
 * power-softmax model carries {@link Approximations} (a softmax model may omit them: it has no
 * poly-plain pass); a {@code task-chars} tokenizer's vocabulary has {@code vocabSize} symbols, a
 * {@code tokenizer.json} one at most {@code vocabSize}; a GPT-NeoX model rotates an even number of
 * dimensions per head. Immutable.
 *
 * @param name model name (the directory name of shipped models)
 * @param vocabSize number of token ids
 * @param hiddenSize {@code d_model}
 * @param numLayers number of blocks
 * @param numHeads attention heads per block
 * @param intermediateSize FFN width {@code d_ff}
 * @param maxPositions context length (rows of the position embedding)
 * @param attention softmax or power-softmax
 * @param norm the normalisation
 * @param activation activation kind: {@code gelu_tanh} (tanh form) or {@code gelu} (erf form)
 * @param approximations fitted approximations, if any
 * @param tokenizer the tokenizer
 * @param provenance the exact command that produced the model, or a description
 * @param architecture block wiring and positions
 */
public record ModelConfig(
    String name,
    int vocabSize,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int intermediateSize,
    int maxPositions,
    Attention attention,
    Norm norm,
    String activation,
    Optional<Approximations> approximations,
    TokenizerSpec tokenizer,
    String provenance,
    Architecture architecture) {

  /** Tanh-form GELU (GPT-2's {@code gelu_new}). */
  public static final String GELU_TANH = "gelu_tanh";

  /** Erf-form GELU (PyTorch's default, Pythia's {@code hidden_act "gelu"}). */
  public static final String GELU_ERF = "gelu";

  /** A polyhe decoder ({@link Architecture.PolyDecoder}): the form every model had before GPT-NeoX. */
  public ModelConfig(
      String name, int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
      int maxPositions, Attention attention, Norm norm, String activation,
      Optional<Approximations> approximations, TokenizerSpec tokenizer, String provenance) {
    this(name, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, attention, norm,
        activation, approximations, tokenizer, provenance, new Architecture.PolyDecoder());
  }

  /** @throws IllegalArgumentException if an invariant does not hold */
  public ModelConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numLayers);
    positive("num_attention_heads", numHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositions);
    if (hiddenSize % numHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
    }
    if (!GELU_TANH.equals(activation) && !GELU_ERF.equals(activation)) {
      throw new IllegalArgumentException("unknown activation '" + activation + "' (gelu_tanh, gelu)");
    }
    if (attention instanceof Attention.PowerSoftmax && approximations.isEmpty()) {
      throw new IllegalArgumentException("a power_softmax model needs approximations");
    }
    if (tokenizer.kind().equals(TokenizerSpec.TASK_CHARS) && tokenizer.vocab().size() != vocabSize) {
      throw new IllegalArgumentException(
          "tokenizer has " + tokenizer.vocab().size() + " symbols, vocab_size is " + vocabSize);
    }
    if (tokenizer.kind().equals(TokenizerSpec.TOKENIZER_JSON) && tokenizer.vocab().size() > vocabSize) {
      throw new IllegalArgumentException(
          "tokenizer.json has " + tokenizer.vocab().size() + " tokens, more than vocab_size " + vocabSize);
    }
    if (architecture instanceof Architecture.GptNeoX n && n.rotaryDims(hiddenSize / numHeads) % 2 != 0) {
      throw new IllegalArgumentException("rotary_pct " + n.rotaryPct() + " rotates "
          + n.rotaryDims(hiddenSize / numHeads) + " dimensions per head; rotate-half needs an even number");
    }
  }

  private static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + v);
    }
  }

  /** Whether this is a GPT-NeoX model. */
  public boolean isNeoX() {
    return architecture instanceof Architecture.GptNeoX;
  }

  /** Head dimension {@code d_model / heads}. */
  public int headDim() {
    return hiddenSize / numHeads;
  }
}
