package io.polyhe.models.weights;

import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.safetensors.DType;
import io.polyhe.models.safetensors.SafetensorsFile;
import io.polyhe.models.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face GPT-NeoX {@code model.safetensors} as it is. Tensor names and shapes
 * ({@code d} hidden size, {@code ff} intermediate size, {@code V} vocabulary, {@code N} layer):
 *
 * <pre>
 * gpt_neox.embed_in.weight                               [V, d]
 * gpt_neox.layers.N.input_layernorm.{weight,bias}        [d]
 * gpt_neox.layers.N.post_attention_layernorm.{weight,bias} [d]
 * gpt_neox.layers.N.attention.query_key_value.weight     [3d, d]   fused per head
 * gpt_neox.layers.N.attention.query_key_value.bias       [3d]
 * gpt_neox.layers.N.attention.dense.{weight,bias}        [d, d], [d]
 * gpt_neox.layers.N.mlp.dense_h_to_4h.{weight,bias}      [ff, d], [ff]
 * gpt_neox.layers.N.mlp.dense_4h_to_h.{weight,bias}      [d, ff], [d]
 * gpt_neox.final_layer_norm.{weight,bias}                [d]
 * embed_out.weight                                       [V, d]
 * </pre>
 *
 * The fused projection is NeoX's per-head layout: its output, viewed as {@code [heads, 3 *
 * d_h]}, holds head {@code h}'s query, key and value in that order, so row {@code h·3·d_h + j}
 * is query row {@code h·d_h + j}, row {@code h·3·d_h + d_h + j} key row {@code h·d_h + j}, and
 * so on. Older checkpoints (Pythia's among them) also store three buffers per layer that
 * inference recomputes: {@code attention.bias} (the causal mask, {@code [1, 1, P, P]}), {@code
 * attention.masked_bias} (a scalar) and {@code attention.rotary_emb.inv_freq} ({@code [r/2]});
 * they are accepted when their shapes are right and otherwise ignored. Any other tensor, a
 * missing one, a wrong shape or a non-floating-point weight is a {@link ModelFormatException}
 * naming it. Stateless.
 */
public final class NeoXWeights {
  private NeoXWeights() {}

  /** The weight tensors {@code c} implies, with their shapes, in a stable order. */
  public static Map<String, long[]> expectedShapes(ModelConfig c) {
    long d = c.hiddenSize();
    long ff = c.intermediateSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("gpt_neox.embed_in.weight", new long[] {c.vocabSize(), d});
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "gpt_neox.layers." + l + ".";
      m.put(p + "input_layernorm.weight", new long[] {d});
      m.put(p + "input_layernorm.bias", new long[] {d});
      m.put(p + "post_attention_layernorm.weight", new long[] {d});
      m.put(p + "post_attention_layernorm.bias", new long[] {d});
      m.put(p + "attention.query_key_value.weight", new long[] {3 * d, d});
      m.put(p + "attention.query_key_value.bias", new long[] {3 * d});
      m.put(p + "attention.dense.weight", new long[] {d, d});
      m.put(p + "attention.dense.bias", new long[] {d});
      m.put(p + "mlp.dense_h_to_4h.weight", new long[] {ff, d});
      m.put(p + "mlp.dense_h_to_4h.bias", new long[] {ff});
      m.put(p + "mlp.dense_4h_to_h.weight", new long[] {d, ff});
      m.put(p + "mlp.dense_4h_to_h.bias", new long[] {d});
    }
    m.put("gpt_neox.final_layer_norm.weight", new long[] {d});
    m.put("gpt_neox.final_layer_norm.bias", new long[] {d});
    m.put("embed_out.weight", new long[] {c.vocabSize(), d});
    return m;
  }

  /** The optional recomputed buffers of {@code c}'s checkpoints, with their shapes. */
  static Map<String, long[]> bufferShapes(ModelConfig c) {
    Map<String, long[]> m = new LinkedHashMap<>();
    long p = c.maxPositions();
    int rot = c.architecture() instanceof io.polyhe.models.config.Architecture.GptNeoX n ? n.rotaryDims(c.headDim()) : 0;
    for (int l = 0; l < c.numLayers(); l++) {
      String a = "gpt_neox.layers." + l + ".attention.";
      m.put(a + "bias", new long[] {1, 1, p, p});
      m.put(a + "masked_bias", new long[] {});
      m.put(a + "rotary_emb.inv_freq", new long[] {rot / 2});
    }
    return m;
  }

  /**
   * Checks {@code file} against {@code c} and builds the weights (query, key and value split out
   * of the fused projection; no position embedding).
   *
   * @throws ModelFormatException naming the first missing, unexpected, mistyped or misshapen
   *     tensor
   * @throws IllegalArgumentException if {@code c} is not a GPT-NeoX configuration
   */
  public static ModelWeights from(ModelConfig c, SafetensorsFile file) throws ModelFormatException {
    if (!c.isNeoX()) {
      throw new IllegalArgumentException("model '" + c.name() + "' is not a GPT-NeoX configuration");
    }
    Map<String, long[]> expected = expectedShapes(c);
    Map<String, long[]> buffers = bufferShapes(c);
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      TensorInfo t = file.tensors().get(e.getKey());
      if (t == null) {
        throw new ModelFormatException(file.source(), "missing tensor '" + e.getKey() + "' required by the config");
      }
      check(file, t, e.getValue(), true);
    }
    for (TensorInfo t : file.tensors().values()) {
      if (expected.containsKey(t.name())) {
        continue;
      }
      long[] shape = buffers.get(t.name());
      if (shape == null) {
        throw new ModelFormatException(file.source(), "unexpected tensor '" + t.name() + "' (not part of GPT-NeoX)");
      }
      check(file, t, shape, t.dtype() != DType.BOOL && t.dtype() != DType.U8);
    }
    int d = c.hiddenSize();
    int ff = c.intermediateSize();
    List<LayerWeights> layers = new ArrayList<>();
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "gpt_neox.layers." + l + ".";
      Linear[] qkv = splitQkv(c, file.tensor(p + "attention.query_key_value.weight").data(),
          file.tensor(p + "attention.query_key_value.bias").data());
      layers.add(new LayerWeights(
          norm(file, p + "input_layernorm"),
          qkv[0], qkv[1], qkv[2],
          linear(file, p + "attention.dense", d, d),
          norm(file, p + "post_attention_layernorm"),
          linear(file, p + "mlp.dense_h_to_4h", ff, d),
          linear(file, p + "mlp.dense_4h_to_h", d, ff)));
    }
    return new ModelWeights(
        file.tensor("gpt_neox.embed_in.weight").data(),
        new double[0],
        layers,
        norm(file, "gpt_neox.final_layer_norm"),
        new Linear(c.vocabSize(), d, file.tensor("embed_out.weight").data(), null));
  }

  private static void check(SafetensorsFile file, TensorInfo t, long[] shape, boolean floating)
      throws ModelFormatException {
    if (floating && !t.dtype().isFloatingPoint()) {
      throw new ModelFormatException(
          file.source(), "tensor '" + t.name() + "' has dtype " + t.dtype() + ", expected a floating-point type");
    }
    if (!t.hasShape(shape)) {
      throw new ModelFormatException(file.source(),
          "tensor '" + t.name() + "' has shape " + t.shape() + ", the config implies " + Arrays.toString(shape));
    }
  }

  /** Query, key and value projections out of NeoX's per-head fused {@code [3d, d]} layout. */
  static Linear[] splitQkv(ModelConfig c, double[] w, double[] b) {
    int d = c.hiddenSize();
    int dh = c.headDim();
    double[][] ws = new double[3][d * d];
    double[][] bs = new double[3][d];
    for (int h = 0; h < c.numHeads(); h++) {
      for (int part = 0; part < 3; part++) {
        for (int j = 0; j < dh; j++) {
          int src = h * 3 * dh + part * dh + j;
          int dst = h * dh + j;
          System.arraycopy(w, src * d, ws[part], dst * d, d);
          bs[part][dst] = b[src];
        }
      }
    }
    return new Linear[] {
        new Linear(d, d, ws[0], bs[0]), new Linear(d, d, ws[1], bs[1]), new Linear(d, d, ws[2], bs[2])};
  }

  private static Linear linear(SafetensorsFile f, String name, int out, int in) throws ModelFormatException {
    return new Linear(out, in, f.tensor(name + ".weight").data(), f.tensor(name + ".bias").data());
  }

  private static NormWeights norm(SafetensorsFile f, String name) throws ModelFormatException {
    return new NormWeights(f.tensor(name + ".weight").data(), f.tensor(name + ".bias").data());
  }
}
