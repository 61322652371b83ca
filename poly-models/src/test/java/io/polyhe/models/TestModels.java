package io.polyhe.models;

import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.NewtonKind;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.config.TokenizerSpec;
import java.util.List;
import java.util.Optional;

/** Small configurations shared by tests. */
public final class TestModels {
  private TestModels() {}

  /** The task vocabulary of the shipped models. */
  public static final List<String> VOCAB =
      List.of("_", "^", "$", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "S", "R", "C", "|", "=");

  /** Approximations fitted on fixed ranges. */
  public static Approximations approximations() {
    return new Approximations(
        ApproximationFitter.fitNewton(NewtonKind.INVERSE, 0.01, 10, 3, 1e-5),
        ApproximationFitter.fitNewton(NewtonKind.INVERSE_SQRT, 0.1, 10, 3, 1e-5),
        ApproximationFitter.fitActivation(-6, 6, 1e-3));
  }

  /** A 2-layer, d=8, 2-head power-softmax model config over the task vocabulary. */
  public static ModelConfig small(Norm.Kind norm) {
    return new ModelConfig(
        "small", VOCAB.size(), 8, 2, 2, 16, 12, new Attention.PowerSoftmax(4, 0.01), new Norm(norm, 1e-5),
        ModelConfig.GELU_TANH, Optional.of(approximations()), new TokenizerSpec(TokenizerSpec.TASK_CHARS, VOCAB, 0, 1, 2),
        "test");
  }
}
