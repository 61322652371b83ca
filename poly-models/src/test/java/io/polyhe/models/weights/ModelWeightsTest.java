package io.polyhe.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.TestModels;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.safetensors.DType;
import io.polyhe.models.safetensors.SafetensorsFile;
import io.polyhe.models.safetensors.SafetensorsWriter;
import io.polyhe.models.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelWeightsTest {
  @TempDir Path dir;

  private static Map<String, Tensor> tensors(ModelConfig c) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    ModelWeights.expectedShapes(c).forEach((n, s) -> {
      int count = (int) java.util.Arrays.stream(s).reduce(1, (a, b) -> a * b);
      m.put(n, new Tensor(s, new double[count]));
    });
    return m;
  }

  private String rejected(ModelConfig c, Consumer<Map<String, Tensor>> edit) throws IOException {
    Map<String, Tensor> m = tensors(c);
    edit.accept(m);
    Path p = dir.resolve("w.safetensors");
    SafetensorsWriter.write(p, m, Map.of(), DType.F32);
    SafetensorsFile f = SafetensorsFile.read(p);
    return assertThrows(ModelFormatException.class, () -> ModelWeights.from(c, f)).getMessage();
  }

  @Test
  void acceptsExactlyTheExpectedTensors() throws IOException {
    for (Norm.Kind k : Norm.Kind.values()) {
      ModelConfig c = TestModels.small(k);
      Path p = dir.resolve(k + ".safetensors");
      SafetensorsWriter.write(p, tensors(c), Map.of(), DType.F64);
      ModelWeights w = ModelWeights.from(c, SafetensorsFile.read(p));
      assertEquals(2, w.layers().size());
    }
    // LayerNorm has biases, RMSNorm does not
    assertEquals(
        ModelWeights.expectedShapes(TestModels.small(Norm.Kind.RMSNORM)).size() + 5,
        ModelWeights.expectedShapes(TestModels.small(Norm.Kind.LAYERNORM)).size());
  }

  @Test
  void rejectsMissingUnexpectedAndMisshapenTensors() throws IOException {
    ModelConfig c = TestModels.small(Norm.Kind.LAYERNORM);
    assertTrue(rejected(c, m -> m.remove("layers.1.attn.q_proj.weight")).contains("missing tensor 'layers.1.attn.q_proj.weight'"));
    assertTrue(rejected(c, m -> m.put("layers.2.attn.q_proj.weight", new Tensor(new long[] {1}, new double[1])))
        .contains("unexpected tensor 'layers.2.attn.q_proj.weight'"));
    assertTrue(rejected(c, m -> m.put("lm_head.weight", new Tensor(new long[] {8, 18}, new double[144])))
        .contains("has shape [8, 18], the config implies [18, 8]"));
  }

  @Test
  void rejectsIntegerWeights() throws IOException {
    ModelConfig c = TestModels.small(Norm.Kind.LAYERNORM);
    // A hand-built file: every tensor F32 except one I32 of the right byte size.
    Map<String, Tensor> m = tensors(c);
    Path p = dir.resolve("w.safetensors");
    SafetensorsWriter.write(p, m, Map.of(), DType.F32);
    byte[] bytes = java.nio.file.Files.readAllBytes(p);
    String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    String patched = s.replaceFirst("\"final_norm.bias\":\\{\"dtype\":\"F32\"", "\"final_norm.bias\":{\"dtype\":\"I32\"");
    java.nio.file.Files.write(p, patched.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    SafetensorsFile f = SafetensorsFile.read(p);
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelWeights.from(c, f)).getMessage()
        .contains("'final_norm.bias' has dtype I32"));
  }
}
