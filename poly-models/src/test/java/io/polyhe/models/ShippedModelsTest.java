package io.polyhe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.ChebyshevApproximation;
import io.polyhe.models.approx.Gelu;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.format.StrictJson;
import io.polyhe.models.forward.DecoderState;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.RangeRecorder;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tasks.TaskExample;
import io.polyhe.models.tasks.TestSet;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The shipped models against the PyTorch golden vectors and the stated approximation bounds.
 *
 * <p>Bounds: over each calibrated range, 1/x and 1/sqrt(x) have relative error at most 1e-5 and
 * the GELU polynomial absolute error at most 1e-3 (the tolerances training/train.py fits to).
 */
class ShippedModelsTest {
  static final double GOLDEN_TOLERANCE = 1e-6;
  static final double NEWTON_BOUND = 1e-5;
  static final double ACTIVATION_BOUND = 1e-3;
  /** train.py's --max-guess-degree default (the shipped tiny is fitted with --fit depth). */
  static final int MAX_GUESS_DEGREE = 255;

  @Test
  void listsTheShippedModels() throws IOException {
    List<String> names = ShippedModels.list().stream().map(ShippedModels.Entry::name).toList();
    assertTrue(names.containsAll(List.of("tiny", "tiny-softmax")), names.toString());
    assertEquals("tiny-softmax", ShippedModels.entry("tiny").baseline().orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> ShippedModels.entry("huge"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-softmax"})
  void reproducesThePyTorchGoldenVectors(String name) throws IOException {
    Transformer m = ShippedModels.load(name);
    String file = "/models/" + name + "/golden.json";
    StrictJson g = StrictJson.parseObject(file, new String(Model.resource(file), StandardCharsets.UTF_8));
    StrictJson[] cases = g.objects("cases");
    assertTrue(cases.length >= 3);
    for (StrictJson c : cases) {
      int[] tokens = java.util.Arrays.stream(c.integers("tokens", 0, 1000)).mapToInt(Math::toIntExact).toArray();
      compare(c.matrix("exact_logits"), m.logits(tokens, Mode.EXACT), name + " exact " + c.string("text"));
      if (c.has("poly_plain_logits")) {
        compare(c.matrix("poly_plain_logits"), m.logits(tokens, Mode.POLY_PLAIN), name + " poly " + c.string("text"));
      }
    }
  }

  private static void compare(double[][] want, double[][] got, String what) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i].length, got[i].length, what);
      for (int j = 0; j < want[i].length; j++) {
        assertEquals(want[i][j], got[i][j], GOLDEN_TOLERANCE, what + " position " + i + " token " + j);
      }
    }
  }

  @Test
  void approximationsMeetTheStatedBoundsOverTheCalibratedRanges() throws IOException {
    Approximations a = ShippedModels.load("tiny").config().approximations().orElseThrow();
    for (NewtonApproximation n : List.of(a.attentionInverse(), a.normInverseSqrt())) {
      assertTrue(n.maxRelError() <= NEWTON_BOUND, n.kind() + " records " + n.maxRelError());
      // independent points: 20011 geometrically spaced, not the fitter's grid
      for (int i = 0; i <= 20010; i++) {
        double x = n.lo() * Math.pow(n.hi() / n.lo(), i / 20010.0);
        double exact = n.kind().exact(x);
        assertTrue(Math.abs(n.evaluate(x) - exact) <= NEWTON_BOUND * exact, n.kind() + " at " + x);
      }
    }
    ChebyshevApproximation g = a.activation();
    assertTrue(g.maxAbsError() <= ACTIVATION_BOUND);
    double lo = g.series().a();
    double hi = g.series().b();
    for (int i = 0; i <= 20010; i++) {
      double x = lo + (hi - lo) * i / 20010.0;
      assertEquals(Gelu.tanhForm(x), g.evaluate(x), ACTIVATION_BOUND, "gelu at " + x);
    }
  }

  /**
   * The encrypted pass's budget: tiny is trained with range penalties (training/README.md) so
   * that each calibrated range, margin included, is narrow and each circuit shallow.
   */
  @Test
  void approximationsAreShallowEnoughForTheEncryptedPass() throws IOException {
    Approximations a = ShippedModels.load("tiny").config().approximations().orElseThrow();
    NewtonApproximation inv = a.attentionInverse();
    NewtonApproximation isq = a.normInverseSqrt();
    assertTrue(inv.hi() / inv.lo() <= 1e3, "1/x range ratio " + inv.hi() / inv.lo());
    assertTrue(isq.hi() / isq.lo() <= 1e3, "1/sqrt range ratio " + isq.hi() / isq.lo());
    assertTrue(a.activation().series().a() >= -10 && a.activation().series().b() <= 10, a.activation().series().toString());
    assertTrue(inv.encryptedDepth() <= 8, "1/x depth " + inv.encryptedDepth());
    assertTrue(isq.encryptedDepth() <= 8, "1/sqrt depth " + isq.encryptedDepth());
    assertTrue(a.activation().encryptedDepth() <= 5, "gelu depth " + a.activation().encryptedDepth());
  }

  @Test
  void javaFitterReproducesTheTrainingScriptsFits() throws IOException {
    Approximations a = ShippedModels.load("tiny").config().approximations().orElseThrow();
    for (NewtonApproximation n : List.of(a.attentionInverse(), a.normInverseSqrt())) {
      NewtonApproximation j = ApproximationFitter.fitNewtonMinDepth(n.kind(), n.lo(), n.hi(), MAX_GUESS_DEGREE, NEWTON_BOUND);
      assertEquals(n.guess().degree(), j.guess().degree(), n.kind().toString());
      assertEquals(n.iterations(), j.iterations(), n.kind().toString());
      double[] want = n.guess().coefficients();
      double[] got = j.guess().coefficients();
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-9 * Math.abs(want[0]), n.kind() + " coefficient " + i);
      }
    }
    ChebyshevApproximation g = a.activation();
    assertEquals(g.series().degree(),
        ApproximationFitter.fitActivation(g.series().a(), g.series().b(), ACTIVATION_BOUND).series().degree());
  }

  @Test
  void testPromptsStayInsideTheCalibratedRanges() throws IOException {
    Transformer m = ShippedModels.load("tiny");
    Approximations a = m.config().approximations().orElseThrow();
    TaskTokenizer tok = new TaskTokenizer(m.config().tokenizer());
    RangeRecorder rec = new RangeRecorder();
    List<TaskExample> all = TestSet.shipped();
    for (int i = 0; i < all.size(); i += 5) {
      TaskExample e = all.get(i);
      DecoderState s = m.startRecording(rec);
      for (int t : tok.encode(e.prompt() + e.answer() + "$")) {
        s.feed(t);
      }
    }
    assertTrue(rec.inverseRange()[1] <= a.attentionInverse().hi(), "1/x input " + rec.inverseRange()[1]);
    assertTrue(rec.inverseSqrtRange()[0] >= a.normInverseSqrt().lo(), "1/sqrt input " + rec.inverseSqrtRange()[0]);
    assertTrue(rec.inverseSqrtRange()[1] <= a.normInverseSqrt().hi(), "1/sqrt input " + rec.inverseSqrtRange()[1]);
    assertTrue(rec.activationRange()[0] >= a.activation().series().a(), "gelu input " + rec.activationRange()[0]);
    assertTrue(rec.activationRange()[1] <= a.activation().series().b(), "gelu input " + rec.activationRange()[1]);
  }

  @Test
  void shippedModelsAreSmallEnoughForTheJar() throws IOException {
    for (ShippedModels.Entry e : ShippedModels.list()) {
      assertTrue(Model.resource("/models/" + e.name() + "/" + Model.WEIGHTS).length < 5_000_000, e.name());
    }
  }
}
