package io.polyhe.models.shapeonly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.Model;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.Norm;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.RangeRecorder;
import io.polyhe.models.forward.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeOnlyGeneratorTest {
  @TempDir Path dir;

  private static ShapeOnlyGenerator.Request request(Norm.Kind norm, long seed) {
    return new ShapeOnlyGenerator.Request(
        "s", new ModelShape(2, 16, 2, 32, 16, 50), new Attention.PowerSoftmax(4, 0.01), new Norm(norm, 1e-5), seed, 2, "test");
  }

  @Test
  void writesALoadableCalibratedModel() throws IOException {
    for (Norm.Kind k : Norm.Kind.values()) {
      Path out = dir.resolve(k.json());
      Transformer m = ShapeOnlyGenerator.write(request(k, 7), out);
      assertEquals(16, m.config().hiddenSize());
      Approximations a = m.config().approximations().orElseThrow();
      // Fresh random sequences stay inside the calibrated ranges and poly-plain tracks exact.
      SplittableRandom rng = new SplittableRandom(99);
      RangeRecorder rec = new RangeRecorder();
      var st = m.startRecording(rec);
      int[] toks = new int[16];
      for (int i = 0; i < toks.length; i++) {
        toks[i] = rng.nextInt(50);
        st.feed(toks[i]);
      }
      assertTrue(rec.inverseRange()[1] <= a.attentionInverse().hi());
      assertTrue(rec.inverseSqrtRange()[0] >= a.normInverseSqrt().lo() && rec.inverseSqrtRange()[1] <= a.normInverseSqrt().hi());
      assertTrue(rec.activationRange()[0] >= a.activation().series().a() && rec.activationRange()[1] <= a.activation().series().b());
      double[][] e = m.logits(toks, Mode.EXACT);
      double[][] p = m.logits(toks, Mode.POLY_PLAIN);
      for (int i = 0; i < e.length; i++) {
        for (int j = 0; j < e[i].length; j++) {
          assertEquals(e[i][j], p[i][j], 0.05);
        }
      }
    }
  }

  @Test
  void isDeterministicInTheSeed() throws IOException {
    ShapeOnlyGenerator.write(request(Norm.Kind.LAYERNORM, 3), dir.resolve("a"));
    ShapeOnlyGenerator.write(request(Norm.Kind.LAYERNORM, 3), dir.resolve("b"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(Model.WEIGHTS)), Files.readAllBytes(dir.resolve("b").resolve(Model.WEIGHTS)));
    assertEquals(Files.readString(dir.resolve("a").resolve(Model.CONFIG)), Files.readString(dir.resolve("b").resolve(Model.CONFIG)));
  }

  @Test
  void pythiaShapeHasSeventyMillionParameters() {
    assertEquals(70_426_624L, ModelShape.PYTHIA_70M.parameters(), 1_000_000L);
    assertThrows(IllegalArgumentException.class, () -> new ModelShape(6, 510, 8, 2048, 128, 50304));
  }
}
