package io.polyhe.models.forward;

import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.weights.ModelWeights;

/**
 * A model ready for plaintext inference: configuration plus weights. Immutable and thread-safe;
 * each sequence gets its own {@link DecoderState}.
 *
 * @param config the architecture
 * @param weights weights matching {@code config} (as {@link ModelWeights#from} guarantees)
 */
public record Transformer(ModelConfig config, ModelWeights weights) {

  /**
   * A fresh, empty sequence evaluated in {@code mode}.
   *
   * @throws IllegalArgumentException for {@link Mode#POLY_PLAIN} on a model without
   *     approximations, or for a softmax model (softmax has no polynomial form here)
   */
  public DecoderState start(Mode mode) {
    return switch (mode) {
      case EXACT -> new DecoderState(this, new Numerics.Exact(config.activation()));
      case POLY_PLAIN -> {
        if (!(config.attention() instanceof Attention.PowerSoftmax) || config.approximations().isEmpty()) {
          throw new IllegalArgumentException(
              "model '" + config.name() + "' has no poly-plain pass (softmax attention or no approximations)");
        }
        yield new DecoderState(this, new Numerics.PolyPlain(config.approximations().get()));
      }
    };
  }

  /**
   * A fresh sequence in exact arithmetic that records the inputs of every approximated function.
   *
   * @throws IllegalArgumentException if the recorder's activation is not this model's
   */
  public DecoderState startRecording(RangeRecorder recorder) {
    if (!recorder.exact().activationKind().equals(config.activation())) {
      throw new IllegalArgumentException("recorder computes " + recorder.exact().activationKind()
          + ", model '" + config.name() + "' uses " + config.activation());
    }
    return new DecoderState(this, recorder);
  }

  /**
   * Logits at every position of {@code tokens} (teacher forcing), {@code [tokens.length][vocab]}.
   *
   * @throws IllegalArgumentException if a token is out of range or the sequence exceeds the context
   */
  public double[][] logits(int[] tokens, Mode mode) {
    DecoderState s = start(mode);
    double[][] out = new double[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      out[i] = s.append(tokens[i]);
    }
    return out;
  }
}
