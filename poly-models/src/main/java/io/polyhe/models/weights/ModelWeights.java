package io.polyhe.models.weights;

import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.safetensors.SafetensorsFile;
import io.polyhe.models.safetensors.Tensor;
import io.polyhe.models.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All weights of a model, matched to its configuration.
 *
 * <p>Tensor names follow the PyTorch module tree of {@code training/model.py}: {@code
 * embed_tokens.weight}, {@code embed_positions.weight}, {@code layers.<l>.attn_norm.weight|bias},
 * {@code layers.<l>.attn.{q,k,v,o}_proj.weight|bias}, {@code layers.<l>.ffn_norm.weight|bias},
 * {@code layers.<l>.ffn.{up,down}_proj.weight|bias}, {@code final_norm.weight|bias}, {@code
 * lm_head.weight}; norm biases only for LayerNorm. GPT-NeoX checkpoints are read by {@link
 * NeoXWeights} into the same blocks, without a position embedding (their positions are rotary).
 * Immutable.
 *
 * @param tokenEmbedding {@code [vocab, d]} row-major
 * @param positionEmbedding {@code [context, d]} row-major, or empty for a rotary (GPT-NeoX) model
 * @param layers the blocks, first to last
 * @param finalNorm norm before the LM head
 * @param lmHead {@code [vocab, d]}, no bias
 */
public record ModelWeights(
    double[] tokenEmbedding, double[] positionEmbedding, List<LayerWeights> layers, NormWeights finalNorm, Linear lmHead) {

  /** Copies the arrays and the list. */
  public ModelWeights {
    tokenEmbedding = tokenEmbedding.clone();
    positionEmbedding = positionEmbedding.clone();
    layers = List.copyOf(layers);
  }

  @Override
  public double[] tokenEmbedding() {
    return tokenEmbedding.clone();
  }

  /**
   * The learned position embedding.
   *
   * @throws IllegalStateException for a rotary model, which has none (so that code written for
   *     learned positions fails loudly instead of computing something else)
   */
  @Override
  public double[] positionEmbedding() {
    if (!hasPositionEmbedding()) {
      throw new IllegalStateException("a rotary (GPT-NeoX) model has no position embedding");
    }
    return positionEmbedding.clone();
  }

  /** Whether positions are learned embeddings (false for rotary models). */
  public boolean hasPositionEmbedding() {
    return positionEmbedding.length > 0;
  }

  /**
   * Token {@code token}'s embedding plus, for learned positions, position {@code pos}'s, in a new
   * array.
   */
  public double[] embed(int token, int pos, int d) {
    double[] x = new double[d];
    boolean positions = hasPositionEmbedding();
    for (int i = 0; i < d; i++) {
      x[i] = tokenEmbedding[token * d + i] + (positions ? positionEmbedding[pos * d + i] : 0);
    }
    return x;
  }

  /** Every tensor name the configuration implies, with its shape, in a stable order. */
  public static Map<String, long[]> expectedShapes(ModelConfig c) {
    long d = c.hiddenSize();
    long ff = c.intermediateSize();
    boolean bias = c.norm().kind() == Norm.Kind.LAYERNORM;
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("embed_tokens.weight", new long[] {c.vocabSize(), d});
    m.put("embed_positions.weight", new long[] {c.maxPositions(), d});
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "layers." + l + ".";
      norm(m, p + "attn_norm", d, bias);
      for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        m.put(p + "attn." + proj + ".weight", new long[] {d, d});
        m.put(p + "attn." + proj + ".bias", new long[] {d});
      }
      norm(m, p + "ffn_norm", d, bias);
      m.put(p + "ffn.up_proj.weight", new long[] {ff, d});
      m.put(p + "ffn.up_proj.bias", new long[] {ff});
      m.put(p + "ffn.down_proj.weight", new long[] {d, ff});
      m.put(p + "ffn.down_proj.bias", new long[] {d});
    }
    norm(m, "final_norm", d, bias);
    m.put("lm_head.weight", new long[] {c.vocabSize(), d});
    return m;
  }

  private static void norm(Map<String, long[]> m, String name, long d, boolean bias) {
    m.put(name + ".weight", new long[] {d});
    if (bias) {
      m.put(name + ".bias", new long[] {d});
    }
  }

  /**
   * Checks that {@code file} holds exactly the tensors {@code c} implies (names, shapes,
   * floating-point dtypes) and builds the weights.
   *
   * @throws ModelFormatException naming the first missing, unexpected, mistyped or misshapen
   *     tensor
   */
  public static ModelWeights from(ModelConfig c, SafetensorsFile file) throws ModelFormatException {
    Map<String, long[]> expected = expectedShapes(c);
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      TensorInfo t = file.tensors().get(e.getKey());
      if (t == null) {
        throw new ModelFormatException(file.source(), "missing tensor '" + e.getKey() + "' required by the config");
      }
      if (!t.dtype().isFloatingPoint()) {
        throw new ModelFormatException(
            file.source(), "tensor '" + e.getKey() + "' has dtype " + t.dtype() + ", expected a floating-point type");
      }
      if (!t.hasShape(e.getValue())) {
        throw new ModelFormatException(
            file.source(),
            "tensor '" + e.getKey() + "' has shape " + t.shape() + ", the config implies "
                + Arrays.toString(e.getValue()));
      }
    }
    for (String name : file.tensors().keySet()) {
      if (!expected.containsKey(name)) {
        throw new ModelFormatException(file.source(), "unexpected tensor '" + name + "' (not in the config's architecture)");
      }
    }
    int d = c.hiddenSize();
    int ff = c.intermediateSize();
    boolean bias = c.norm().kind() == Norm.Kind.LAYERNORM;
    List<LayerWeights> layers = new ArrayList<>();
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "layers." + l + ".";
      layers.add(
          new LayerWeights(
              norm(file, p + "attn_norm", bias),
              linear(file, p + "attn.q_proj", d, d, true),
              linear(file, p + "attn.k_proj", d, d, true),
              linear(file, p + "attn.v_proj", d, d, true),
              linear(file, p + "attn.o_proj", d, d, true),
              norm(file, p + "ffn_norm", bias),
              linear(file, p + "ffn.up_proj", ff, d, true),
              linear(file, p + "ffn.down_proj", d, ff, true)));
    }
    return new ModelWeights(
        data(file, "embed_tokens.weight"),
        data(file, "embed_positions.weight"),
        layers,
        norm(file, "final_norm", bias),
        linear(file, "lm_head", c.vocabSize(), d, false));
  }

  private static double[] data(SafetensorsFile f, String name) throws ModelFormatException {
    Tensor t = f.tensor(name);
    return t.data();
  }

  private static Linear linear(SafetensorsFile f, String name, int out, int in, boolean bias)
      throws ModelFormatException {
    return new Linear(out, in, data(f, name + ".weight"), bias ? data(f, name + ".bias") : null);
  }

  private static NormWeights norm(SafetensorsFile f, String name, boolean bias) throws ModelFormatException {
    return new NormWeights(data(f, name + ".weight"), bias ? data(f, name + ".bias") : null);
  }
}
