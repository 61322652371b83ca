package io.polyhe.models.config;

import java.util.Optional;

/**
 * The architecture of one decoder-only, pre-norm model (DESIGN.md section 4): per block {@code x
 * += Attn(Norm(x)); x += FFN(Norm(x))}, then a final norm and the LM head; learned absolute
 * position embeddings; all projections have biases except the LM head.
 *
 * <p>Invariants: all sizes positive; {@code hiddenSize} divisible by {@code numHeads}; a
 * power-softmax model carries {@link Approximations} (a softmax model may omit them: it has no
 * poly-plain pass); a {@code task-chars} tokenizer's vocabulary has {@code vocabSize} symbols.
 * Immutable.
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
 * @param activation activation kind; only {@code gelu_tanh} exists
 * @param approximations fitted approximations, if any
 * @param tokenizer the tokenizer
 * @param provenance the exact command that produced the model, or a description
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
    String provenance) {

  /** The one activation kind: tanh-form GELU. */
  public static final String GELU_TANH = "gelu_tanh";

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
    if (!GELU_TANH.equals(activation)) {
      throw new IllegalArgumentException("unknown activation '" + activation + "' (gelu_tanh)");
    }
    if (attention instanceof Attention.PowerSoftmax && approximations.isEmpty()) {
      throw new IllegalArgumentException("a power_softmax model needs approximations");
    }
    if (tokenizer.kind().equals(TokenizerSpec.TASK_CHARS) && tokenizer.vocab().size() != vocabSize) {
      throw new IllegalArgumentException(
          "tokenizer has " + tokenizer.vocab().size() + " symbols, vocab_size is " + vocabSize);
    }
  }

  private static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + v);
    }
  }

  /** Head dimension {@code d_model / heads}. */
  public int headDim() {
    return hiddenSize / numHeads;
  }
}
