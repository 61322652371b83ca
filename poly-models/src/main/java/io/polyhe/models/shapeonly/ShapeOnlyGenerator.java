package io.polyhe.models.shapeonly;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.polyhe.models.Model;
import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.NewtonKind;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ConfigJson;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.config.TokenizerSpec;
import io.polyhe.models.forward.DecoderState;
import io.polyhe.models.forward.RangeRecorder;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.safetensors.DType;
import io.polyhe.models.safetensors.SafetensorsFile;
import io.polyhe.models.safetensors.SafetensorsWriter;
import io.polyhe.models.safetensors.Tensor;
import io.polyhe.models.weights.ModelWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes a random-weight model of a given shape with calibrated approximations.
 *
 * <p>Weights: linear maps N(0, 1/fan_in) (so attention scores are O(1), as in a trained model),
 * biases 0, norm scales 1 and shifts 0, embeddings N(0, 1), all rounded to float32; drawn from
 * {@link SplittableRandom} with the given seed, so a (shape, seed) pair always gives the same
 * file. Calibration runs the exact pass over {@code sequences} sequences of uniformly random
 * token ids of full context length and fits with {@link CalibrationPolicy#DEFAULT}. Stateless.
 */
public final class ShapeOnlyGenerator {
  private ShapeOnlyGenerator() {}

  /**
   * Parameters of one generated model.
   *
   * @param name model name written to the config
   * @param shape sizes
   * @param attention softmax or power-softmax
   * @param norm the normalisation
   * @param seed weight and calibration seed
   * @param sequences calibration sequences, {@code >= 1}
   * @param command the command line that made it, recorded as provenance
   */
  public record Request(
      String name, ModelShape shape, Attention attention, Norm norm, long seed, int sequences, String command) {
    /** @throws IllegalArgumentException if {@code sequences < 1} */
    public Request {
      if (sequences < 1) {
        throw new IllegalArgumentException("need at least one calibration sequence");
      }
    }
  }

  /**
   * Generates, calibrates and writes the model to {@code dir} (created if needed), then reloads
   * it through the validating reader.
   *
   * @return the model as loaded back from {@code dir}
   * @throws IOException if the files cannot be written or read back
   */
  public static Transformer write(Request r, Path dir) throws IOException {
    Files.createDirectories(dir);
    // The exact pass used for calibration never touches the approximations; placeholders
    // satisfy the configuration's invariant until the real ones are fitted.
    Approximations placeholder =
        new Approximations(
            ApproximationFitter.fitNewton(NewtonKind.INVERSE, 1, 2, 1, 1e-3),
            ApproximationFitter.fitNewton(NewtonKind.INVERSE_SQRT, 1, 2, 1, 1e-3),
            ApproximationFitter.fitActivation(-1, 1, 1e-2));
    ModelConfig provisional = config(r, Optional.of(placeholder));
    Path weightsFile = dir.resolve(Model.WEIGHTS);
    SafetensorsWriter.write(
        weightsFile, randomTensors(provisional, r.seed()), Map.of("format", "pt", "name", r.name()), DType.F32);
    ModelWeights weights = ModelWeights.from(provisional, SafetensorsFile.read(weightsFile));
    Transformer model = new Transformer(provisional, weights);
    RangeRecorder seen = calibrate(model, r.sequences(), r.seed());
    double epsilon = r.attention() instanceof Attention.PowerSoftmax p ? p.epsilon() : 1e-2;
    double[] inverse = r.attention() instanceof Attention.PowerSoftmax ? seen.inverseRange() : new double[] {epsilon, epsilon};
    Approximations fitted =
        CalibrationPolicy.DEFAULT.fit(seen.inverseSqrtRange(), inverse, seen.activationRange(), epsilon);
    ModelConfig config = config(r, Optional.of(fitted));
    JsonObject calibration = new JsonObject();
    calibration.addProperty("samples", r.sequences());
    calibration.addProperty("source", "uniform random token ids of full context length, seed " + r.seed());
    JsonObject observed = new JsonObject();
    observed.add("norm_inverse_sqrt", pair(seen.inverseSqrtRange()));
    if (r.attention() instanceof Attention.PowerSoftmax) {
      observed.add("attention_inverse", pair(seen.inverseRange()));
    }
    observed.add("activation", pair(seen.activationRange()));
    calibration.add("observed", observed);
    calibration.addProperty("range_factor", CalibrationPolicy.DEFAULT.rangeFactor());
    calibration.addProperty("activation_margin", CalibrationPolicy.DEFAULT.activationMargin());
    Files.writeString(dir.resolve(Model.CONFIG), ConfigJson.write(config, calibration), StandardCharsets.UTF_8);
    return Model.load(dir);
  }

  private static JsonArray pair(double[] r) {
    JsonArray a = new JsonArray();
    a.add(r[0]);
    a.add(r[1]);
    return a;
  }

  private static ModelConfig config(Request r, Optional<Approximations> approx) {
    ModelShape s = r.shape();
    return new ModelConfig(
        r.name(), s.vocab(), s.dModel(), s.layers(), s.heads(), s.dFf(), s.context(), r.attention(), r.norm(),
        ModelConfig.GELU_TANH, approx, new TokenizerSpec(TokenizerSpec.NONE, List.of(), 0, 0, 0), r.command());
  }

  private static Map<String, Tensor> randomTensors(ModelConfig c, long seed) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    SplittableRandom root = new SplittableRandom(seed);
    for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(c).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      SplittableRandom rng = root.split(); // one stream per tensor, in the fixed name order
      int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
      double[] v = new double[n];
      if (name.endsWith("norm.weight")) {
        Arrays.fill(v, 1.0);
      } else if (name.startsWith("embed_")) {
        fillGaussian(v, rng, 1.0);
      } else if (name.endsWith(".weight")) {
        fillGaussian(v, rng, 1.0 / Math.sqrt(shape[1]));
      } // biases stay 0
      out.put(name, new Tensor(shape, v));
    }
    return out;
  }

  private static void fillGaussian(double[] v, SplittableRandom rng, double std) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * std);
    }
  }

  private static RangeRecorder calibrate(Transformer model, int sequences, long seed) {
    int ctx = model.config().maxPositions();
    int vocab = model.config().vocabSize();
    List<RangeRecorder> parts =
        IntStream.range(0, sequences)
            .parallel()
            .mapToObj(i -> {
              SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
              RangeRecorder rec = new RangeRecorder();
              DecoderState st = model.startRecording(rec);
              for (int t = 0; t < ctx; t++) {
                st.feed(rng.nextInt(vocab));
              }
              return rec;
            })
            .toList();
    RangeRecorder all = new RangeRecorder();
    parts.forEach(all::merge);
    return all;
  }
}
