package io.polyhe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.config.Architecture;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.format.StrictJson;
import io.polyhe.models.forward.DecoderState;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.safetensors.DType;
import io.polyhe.models.safetensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GPT-NeoX directories read as they are: the shipped text models against PyTorch's golden logits
 * (1e-6), a random checkpoint of exactly Pythia-70M's config, names, shapes and dtypes (F16
 * weights, BOOL causal-mask buffers) loaded and run, and the fused query/key/value layout.
 */
class NeoXModelsTest {
  static final double GOLDEN_TOLERANCE = 1e-6;

  @ParameterizedTest
  @ValueSource(strings = {"fortune-teacher", "fortune"})
  void reproducesThePyTorchGoldenLogits(String name) throws IOException {
    Transformer m = ShippedModels.load(name);
    assertInstanceOf(Architecture.GptNeoX.class, m.config().architecture());
    String file = "/models/" + name + "/golden.json";
    StrictJson g = StrictJson.parseObject(file, new String(Model.resource(file), StandardCharsets.UTF_8));
    StrictJson[] cases = g.objects("cases");
    assertEquals(2, cases.length);
    boolean poly = m.config().attention() instanceof Attention.PowerSoftmax;
    for (StrictJson c : cases) {
      int[] tokens = Arrays.stream(c.integers("tokens", 0, 1000)).mapToInt(Math::toIntExact).toArray();
      assertEquals(m.config().maxPositions(), tokens.length, "golden windows fill the context");
      compare(c.matrix("exact_logits"), m.logits(tokens, Mode.EXACT), name + " exact");
      assertEquals(poly, c.has("poly_plain_logits"));
      if (poly) {
        compare(c.matrix("poly_plain_logits"), m.logits(tokens, Mode.POLY_PLAIN), name + " poly");
      }
    }
  }

  private static void compare(double[][] want, double[][] got, String what) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      for (int j = 0; j < want[i].length; j++) {
        assertEquals(want[i][j], got[i][j], GOLDEN_TOLERANCE, what + " position " + i + " token " + j);
      }
    }
  }

  @Test
  void loadsAndRunsAPythia70mShapedCheckpoint(@TempDir Path tmp) throws IOException {
    Path dir = NeoXCheckpoints.write(tmp.resolve("pythia-70m"), NeoXCheckpoints.PYTHIA_70M,
        NeoXCheckpoints.tensors(NeoXCheckpoints.PYTHIA_70M, true, 70), DType.F16);
    Transformer m = Model.load(dir);
    ModelConfig c = m.config();
    assertEquals(50304, c.vocabSize());
    assertEquals(512, c.hiddenSize());
    assertEquals(6, c.numLayers());
    assertEquals(8, c.numHeads());
    assertEquals(2048, c.intermediateSize());
    assertEquals(2048, c.maxPositions());
    assertEquals(ModelConfig.GELU_ERF, c.activation());
    Architecture.GptNeoX n = assertInstanceOf(Architecture.GptNeoX.class, c.architecture());
    assertEquals(16, n.rotaryDims(c.headDim()));
    assertTrue(n.parallelResidual());
    assertEquals(70_426_624L, Model.parameterCount(c)); // Pythia-70M's published count
    int[] tokens = {0, 17, 42, 97, 3, 5};
    double[][] logits = m.logits(tokens, Mode.EXACT);
    assertEquals(tokens.length, logits.length);
    for (double[] row : logits) {
      assertEquals(50304, row.length);
      assertTrue(Arrays.stream(row).allMatch(Double::isFinite));
    }
    // Incremental decoding is the same computation as the teacher-forced pass.
    DecoderState s = m.start(Mode.EXACT);
    double[] last = null;
    for (int t : tokens) {
      last = s.append(t);
    }
    assertEquals(0, Arrays.compare(logits[tokens.length - 1], last));
  }

  @Test
  void splitsTheFusedPerHeadQueryKeyValueLayout(@TempDir Path tmp) throws IOException {
    Map<String, Tensor> t = NeoXCheckpoints.tensors(NeoXCheckpoints.SMALL, false, 3);
    Transformer m = Model.load(NeoXCheckpoints.write(tmp.resolve("small"), NeoXCheckpoints.SMALL, t, DType.F64));
    Tensor w = t.get("gpt_neox.layers.1.attention.query_key_value.weight");
    Tensor b = t.get("gpt_neox.layers.1.attention.query_key_value.bias");
    int d = 16;
    int dh = 8;
    double[] x = new double[d];
    for (int i = 0; i < d; i++) {
      x[i] = Math.sin(i + 1);
    }
    // The fused map y = W x + b, viewed as [heads, 3, dh]: head h's q, k, v in that order.
    double[] y = new double[3 * d];
    for (int r = 0; r < 3 * d; r++) {
      y[r] = b.data()[r];
      for (int c = 0; c < d; c++) {
        y[r] += w.data()[r * d + c] * x[c];
      }
    }
    var layer = m.weights().layers().get(1);
    double[][] split = {layer.q().apply(x), layer.k().apply(x), layer.v().apply(x)};
    for (int h = 0; h < 2; h++) {
      for (int part = 0; part < 3; part++) {
        for (int j = 0; j < dh; j++) {
          assertEquals(y[h * 3 * dh + part * dh + j], split[part][h * dh + j], 1e-15);
        }
      }
    }
  }
}
