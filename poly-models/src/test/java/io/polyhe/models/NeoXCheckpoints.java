package io.polyhe.models;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.polyhe.models.safetensors.DType;
import io.polyhe.models.safetensors.SafetensorsWriter;
import io.polyhe.models.safetensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes Hugging Face GPT-NeoX directories with random weights for tests: {@code config.json}
 * as given, {@code model.safetensors} with NeoX's tensor names and shapes (weights N(0, 0.02²),
 * norm weights near 1; optionally the three per-layer buffers older checkpoints carry, the causal
 * mask as BOOL), and the shipped fortune {@code tokenizer.json}.
 */
final class NeoXCheckpoints {
  private NeoXCheckpoints() {}

  /** Pythia-70M's {@code config.json} exactly as EleutherAI/pythia-70m ships it. */
  static final String PYTHIA_70M = """
      {
        "architectures": [
          "GPTNeoXForCausalLM"
        ],
        "bos_token_id": 0,
        "eos_token_id": 0,
        "hidden_act": "gelu",
        "hidden_size": 512,
        "initializer_range": 0.02,
        "intermediate_size": 2048,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": 2048,
        "model_type": "gpt_neox",
        "num_attention_heads": 8,
        "num_hidden_layers": 6,
        "rotary_emb_base": 10000,
        "rotary_pct": 0.25,
        "tie_word_embeddings": false,
        "torch_dtype": "float16",
        "transformers_version": "4.24.0",
        "use_cache": true,
        "use_parallel_residual": true,
        "vocab_size": 50304
      }
      """;

  /** A small NeoX config for refusal tests (d 16, 2 heads, 2 layers, context 8, vocabulary 98). */
  static final String SMALL = """
      {
        "architectures": ["GPTNeoXForCausalLM"],
        "model_type": "gpt_neox",
        "vocab_size": 98,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "max_position_embeddings": 8,
        "rotary_pct": 0.25,
        "rotary_emb_base": 10000,
        "use_parallel_residual": true,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-05,
        "tie_word_embeddings": false,
        "bos_token_id": 0,
        "eos_token_id": 0
      }
      """;

  /** The random tensors of {@code config} (NeoX names), buffers included when asked. */
  static Map<String, Tensor> tensors(String config, boolean buffers, long seed) {
    JsonObject c = JsonParser.parseString(config).getAsJsonObject();
    int v = c.get("vocab_size").getAsInt();
    int d = c.get("hidden_size").getAsInt();
    int ff = c.get("intermediate_size").getAsInt();
    int layers = c.get("num_hidden_layers").getAsInt();
    int p = c.get("max_position_embeddings").getAsInt();
    int rot = (int) (d / c.get("num_attention_heads").getAsInt() * c.get("rotary_pct").getAsDouble());
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("gpt_neox.embed_in.weight", random(r, 0.02, 0, v, d));
    for (int l = 0; l < layers; l++) {
      String n = "gpt_neox.layers." + l + ".";
      t.put(n + "input_layernorm.weight", random(r, 0.1, 1, d));
      t.put(n + "input_layernorm.bias", random(r, 0.02, 0, d));
      t.put(n + "post_attention_layernorm.weight", random(r, 0.1, 1, d));
      t.put(n + "post_attention_layernorm.bias", random(r, 0.02, 0, d));
      t.put(n + "attention.query_key_value.weight", random(r, 0.02, 0, 3 * d, d));
      t.put(n + "attention.query_key_value.bias", random(r, 0.02, 0, 3 * d));
      t.put(n + "attention.dense.weight", random(r, 0.02, 0, d, d));
      t.put(n + "attention.dense.bias", random(r, 0.02, 0, d));
      t.put(n + "mlp.dense_h_to_4h.weight", random(r, 0.02, 0, ff, d));
      t.put(n + "mlp.dense_h_to_4h.bias", random(r, 0.02, 0, ff));
      t.put(n + "mlp.dense_4h_to_h.weight", random(r, 0.02, 0, d, ff));
      t.put(n + "mlp.dense_4h_to_h.bias", random(r, 0.02, 0, d));
      if (buffers) {
        double[] mask = new double[p * p];
        for (int i = 0; i < p; i++) {
          for (int j = 0; j <= i; j++) {
            mask[i * p + j] = 1;
          }
        }
        t.put(n + "attention.bias", new Tensor(new long[] {1, 1, p, p}, mask));
        t.put(n + "attention.masked_bias", new Tensor(new long[] {}, new double[] {-1e9}));
        double[] inv = new double[rot / 2];
        for (int i = 0; i < inv.length; i++) {
          inv[i] = 1.0 / Math.pow(10000, 2.0 * i / rot);
        }
        t.put(n + "attention.rotary_emb.inv_freq", new Tensor(new long[] {rot / 2}, inv));
      }
    }
    t.put("gpt_neox.final_layer_norm.weight", random(r, 0.1, 1, d));
    t.put("gpt_neox.final_layer_norm.bias", random(r, 0.02, 0, d));
    t.put("embed_out.weight", random(r, 0.02, 0, v, d));
    return t;
  }

  /** Writes a directory: config, the given tensors (weights in {@code weightType}, mask buffers BOOL), tokenizer. */
  static Path write(Path dir, String config, Map<String, Tensor> tensors, DType weightType) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(Model.CONFIG), config, StandardCharsets.UTF_8);
    Map<String, DType> types = new HashMap<>();
    for (String name : tensors.keySet()) {
      types.put(name, name.endsWith("attention.bias") ? DType.BOOL : weightType);
    }
    SafetensorsWriter.write(dir.resolve(Model.WEIGHTS), tensors, Map.of("format", "pt"), types);
    Files.write(dir.resolve(Model.TOKENIZER), Model.resource("/models/fortune-teacher/tokenizer.json"));
    return dir;
  }

  private static Tensor random(SplittableRandom r, double std, double mean, int... shape) {
    long n = 1;
    long[] s = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      n *= shape[i];
      s[i] = shape[i];
    }
    double[] data = new double[Math.toIntExact(n)];
    for (int i = 0; i < data.length; i++) {
      // Box-Muller would be overkill: a sum of uniforms is Gaussian enough for random weights.
      data[i] = mean + std * (r.nextDouble() + r.nextDouble() + r.nextDouble() - 1.5) * 2;
    }
    return new Tensor(s, data);
  }
}
