package io.polyhe.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.safetensors.DType;
import io.polyhe.models.safetensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed GPT-NeoX directories are refused, each with a message naming the field, tensor or
 * file at fault; the well-formed twin of each loads (so every refusal is caused by its one
 * change).
 */
class NeoXRefusalTest {
  @TempDir Path tmp;

  private Path dir(String config, Map<String, Tensor> tensors) throws IOException {
    return NeoXCheckpoints.write(Files.createTempDirectory(tmp, "neox"), config, tensors, DType.F32);
  }

  private Map<String, Tensor> tensors() {
    return NeoXCheckpoints.tensors(NeoXCheckpoints.SMALL, false, 1);
  }

  private void refused(Path dir, String... fragments) {
    Exception e = assertThrows(IOException.class, () -> Model.load(dir));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
  }

  private static String with(String field, String value) {
    String c = NeoXCheckpoints.SMALL;
    int at = c.indexOf("\"" + field + "\"");
    if (at < 0) {
      return c.replaceFirst("\\{", "{\n  \"" + field + "\": " + value + ",");
    }
    int end = c.indexOf('\n', at);
    String line = c.substring(at, end);
    return c.replace(line, "\"" + field + "\": " + value + (line.endsWith(",") ? "," : ""));
  }

  @Test
  void theUnchangedSmallCheckpointLoads() throws IOException {
    Model.load(dir(NeoXCheckpoints.SMALL, tensors()));
  }

  @Test
  void refusesAnUnknownArchitecture() throws IOException {
    refused(dir(with("architectures", "[\"LlamaForCausalLM\"]").replace("\"gpt_neox\"", "\"llama\""), tensors()),
        "architectures", "LlamaForCausalLM");
    refused(dir(with("architectures", "[\"GPTNeoXForCausalLM\", \"Other\"]"), tensors()), "architectures");
  }

  @Test
  void refusesUnsupportedOptionsByName() throws IOException {
    refused(dir(with("tie_word_embeddings", "true"), tensors()), "tie_word_embeddings");
    refused(dir(with("rope_scaling", "{\"type\": \"linear\", \"factor\": 2.0}"), tensors()), "rope_scaling");
    refused(dir(with("hidden_act", "\"relu\""), tensors()), "hidden_act", "relu");
    refused(dir(with("attention_bias", "false"), tensors()), "attention_bias");
    refused(dir(with("rotary_pct", "0.125"), tensors()), "rotary_pct"); // 1 dimension of 8
    refused(dir(with("use_parallel_residual", "\"yes\""), tensors()), "use_parallel_residual");
    refused(dir(with("sliding_window", "4"), tensors()), "sliding_window", "unknown");
    refused(dir(with("model_type", "\"gpt2\""), tensors()), "model_type");
  }

  @Test
  void refusesMissingMisshapenMistypedAndUnexpectedTensors() throws IOException {
    Map<String, Tensor> missing = new LinkedHashMap<>(tensors());
    missing.remove("gpt_neox.layers.1.mlp.dense_4h_to_h.bias");
    refused(dir(NeoXCheckpoints.SMALL, missing), "missing tensor", "gpt_neox.layers.1.mlp.dense_4h_to_h.bias");

    Map<String, Tensor> misshapen = new LinkedHashMap<>(tensors());
    misshapen.put("gpt_neox.layers.0.attention.query_key_value.weight", new Tensor(new long[] {16, 48}, new double[768]));
    refused(dir(NeoXCheckpoints.SMALL, misshapen), "gpt_neox.layers.0.attention.query_key_value.weight", "[48, 16]");

    Map<String, Tensor> unexpected = new LinkedHashMap<>(tensors());
    unexpected.put("gpt_neox.layers.0.attention.q_proj.weight", new Tensor(new long[] {16, 16}, new double[256]));
    refused(dir(NeoXCheckpoints.SMALL, unexpected), "unexpected tensor", "q_proj");

    Map<String, Tensor> wrongBuffer = new LinkedHashMap<>(tensors());
    wrongBuffer.put("gpt_neox.layers.0.attention.rotary_emb.inv_freq", new Tensor(new long[] {3}, new double[3]));
    refused(dir(NeoXCheckpoints.SMALL, wrongBuffer), "rotary_emb.inv_freq", "[1]");

    Path boolWeight = dir(NeoXCheckpoints.SMALL, tensors());
    Map<String, DType> types = new java.util.HashMap<>();
    tensors().keySet().forEach(k -> types.put(k, k.equals("embed_out.weight") ? DType.U8 : DType.F32));
    io.polyhe.models.safetensors.SafetensorsWriter.write(boolWeight.resolve(Model.WEIGHTS), tensors(), Map.of(), types);
    refused(boolWeight, "embed_out.weight", "U8");
  }

  @Test
  void refusesMissingOrMalformedTokenizers() throws IOException {
    Path noTokenizer = dir(NeoXCheckpoints.SMALL, tensors());
    Files.delete(noTokenizer.resolve(Model.TOKENIZER));
    assertTrue(assertThrows(NoSuchFileException.class, () -> Model.load(noTokenizer)).getMessage().contains("tokenizer.json"));

    String tok = new String(Model.resource("/models/fortune-teacher/tokenizer.json"), StandardCharsets.UTF_8);
    Path clash = dir(NeoXCheckpoints.SMALL, tensors());
    Files.writeString(clash.resolve(Model.TOKENIZER), tok.replace("\"a\": 68", "\"a\": 67"));
    refused(clash, "tokenizer.json", "id 67");

    Path gap = dir(NeoXCheckpoints.SMALL, tensors());
    Files.writeString(gap.resolve(Model.TOKENIZER), tok.replace("\"a\": 68", "\"a\": 500"));
    refused(gap, "tokenizer.json", "no token has id 68");

    Path noModel = dir(NeoXCheckpoints.SMALL, tensors());
    Files.writeString(noModel.resolve(Model.TOKENIZER), "{\"version\": \"1.0\"}");
    refused(noModel, "tokenizer.json", "model");

    Path tooBig = dir(with("vocab_size", "50"), NeoXCheckpoints.tensors(with("vocab_size", "50"), false, 1));
    refused(tooBig, "98 tokens", "vocab_size 50");

    Path badBos = dir(with("bos_token_id", "120"), tensors());
    refused(badBos, "bos_token_id");
  }
}
