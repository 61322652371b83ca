package io.polyhe.models.config;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.polyhe.models.approx.ChebyshevApproximation;
import io.polyhe.models.approx.ChebyshevSeries;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.approx.NewtonKind;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.format.StrictJson;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes {@code config.json}. Reading is strict: unknown top-level fields (likely
 * misspellings), missing or mistyped fields, and values that violate a record's invariants are
 * all {@link ModelFormatException}s naming the field. Stateless; thread-safe.
 */
public final class ConfigJson {
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "model_type", "architectures", "name", "vocab_size", "hidden_size", "num_hidden_layers",
          "num_attention_heads", "intermediate_size", "max_position_embeddings",
          "tie_word_embeddings", "attention", "norm", "activation", "approximations",
          "calibration", "tokenizer", "tasks", "training");
  private static final String MODEL_TYPE = "polyhe-decoder";

  private ConfigJson() {}

  /**
   * Parses {@code text} read from {@code source}.
   *
   * @throws ModelFormatException on the first malformed or invalid field
   */
  public static ModelConfig parse(String source, String text) throws ModelFormatException {
    StrictJson j = StrictJson.parseObject(source, text);
    j.requireOnly(TOP_LEVEL);
    if (!MODEL_TYPE.equals(j.string("model_type"))) {
      throw j.fail("model_type", "must be '" + MODEL_TYPE + "'");
    }
    if (j.has("tie_word_embeddings") && j.bool("tie_word_embeddings")) {
      throw j.fail("tie_word_embeddings", "tied embeddings are not supported");
    }
    try {
      Attention attention = attention(j.object("attention"));
      StrictJson n = j.object("norm");
      n.requireOnly(Set.of("kind", "eps"));
      Norm norm = new Norm(Norm.Kind.parse(n.string("kind")), n.number("eps"));
      StrictJson act = j.object("activation");
      act.requireOnly(Set.of("kind"));
      Optional<Approximations> approx =
          j.has("approximations") ? Optional.of(approximations(j.object("approximations"))) : Optional.empty();
      String provenance =
          j.has("training") && j.object("training").has("command")
              ? j.object("training").string("command")
              : "unknown";
      return new ModelConfig(
          j.string("name"),
          (int) j.integer("vocab_size", 1, 1 << 24),
          (int) j.integer("hidden_size", 1, 1 << 16),
          (int) j.integer("num_hidden_layers", 1, 1024),
          (int) j.integer("num_attention_heads", 1, 1024),
          (int) j.integer("intermediate_size", 1, 1 << 18),
          (int) j.integer("max_position_embeddings", 1, 1 << 16),
          attention,
          norm,
          act.string("kind"),
          approx,
          tokenizer(j.object("tokenizer")),
          provenance);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(source, e.getMessage(), e);
    }
  }

  static Attention attention(StrictJson a) throws ModelFormatException {
    return switch (a.string("kind")) {
      case "softmax" -> {
        a.requireOnly(Set.of("kind"));
        yield new Attention.Softmax();
      }
      case "power_softmax" -> {
        a.requireOnly(Set.of("kind", "power", "epsilon"));
        yield new Attention.PowerSoftmax((int) a.integer("power", 2, 64), a.number("epsilon"));
      }
      default -> throw a.fail("kind", "must be softmax or power_softmax");
    };
  }

  static Approximations approximations(StrictJson a) throws ModelFormatException {
    a.requireOnly(Set.of("attention_inverse", "norm_inverse_sqrt", "activation"));
    return new Approximations(
        newton(a.object("attention_inverse"), NewtonKind.INVERSE),
        newton(a.object("norm_inverse_sqrt"), NewtonKind.INVERSE_SQRT),
        chebyshev(a.object("activation")));
  }

  private static double[] range(StrictJson o) throws ModelFormatException {
    double[] r = o.numbers("input_range");
    if (r.length != 2 || !(r[0] < r[1])) {
      throw o.fail("input_range", "must be [lo, hi] with lo < hi, got " + Arrays.toString(r));
    }
    return r;
  }

  private static NewtonApproximation newton(StrictJson o, NewtonKind kind) throws ModelFormatException {
    o.requireOnly(
        Set.of("input_range", "guess_degree", "guess_coefficients", "newton_iterations",
            "max_rel_error", "target_rel_error", "encrypted_depth"));
    double[] r = range(o);
    double[] c = o.numbers("guess_coefficients");
    if (c.length != o.integer("guess_degree", 0, 1024) + 1) {
      throw o.fail("guess_coefficients", "must hold guess_degree + 1 coefficients, got " + c.length);
    }
    NewtonApproximation n = new NewtonApproximation(
        kind, r[0], r[1], new ChebyshevSeries(r[0], r[1], c),
        (int) o.integer("newton_iterations", 0, 100), o.number("max_rel_error"));
    checkDepth(o, n.encryptedDepth());
    return n;
  }

  /** {@code encrypted_depth} is informational but, when present, must match the circuit. */
  private static void checkDepth(StrictJson o, int depth) throws ModelFormatException {
    if (o.has("encrypted_depth") && o.integer("encrypted_depth", 0, 1 << 16) != depth) {
      throw o.fail("encrypted_depth", "must be " + depth + " (guess depth + 2 per Newton step), got "
          + o.integer("encrypted_depth", 0, 1 << 16));
    }
  }

  private static ChebyshevApproximation chebyshev(StrictJson o) throws ModelFormatException {
    o.requireOnly(Set.of("input_range", "degree", "coefficients", "max_abs_error", "target_abs_error", "encrypted_depth"));
    double[] r = range(o);
    double[] c = o.numbers("coefficients");
    if (c.length != o.integer("degree", 0, 1024) + 1) {
      throw o.fail("coefficients", "must hold degree + 1 coefficients, got " + c.length);
    }
    ChebyshevApproximation a = new ChebyshevApproximation(new ChebyshevSeries(r[0], r[1], c), o.number("max_abs_error"));
    checkDepth(o, a.encryptedDepth());
    return a;
  }

  private static TokenizerSpec tokenizer(StrictJson t) throws ModelFormatException {
    String kind = t.string("kind");
    if (kind.equals(TokenizerSpec.NONE)) {
      t.requireOnly(Set.of("kind"));
      return new TokenizerSpec(kind, List.of(), 0, 0, 0);
    }
    t.requireOnly(Set.of("kind", "vocab", "pad", "bos", "eos"));
    return new TokenizerSpec(
        kind, List.of(t.strings("vocab")), (int) t.integer("pad", 0, 1 << 24),
        (int) t.integer("bos", 0, 1 << 24), (int) t.integer("eos", 0, 1 << 24));
  }

  /**
   * Serialises {@code c}; {@code calibration} (may be {@code null}) is written as the
   * informational {@code calibration} section.
   */
  public static String write(ModelConfig c, JsonObject calibration) {
    JsonObject j = new JsonObject();
    j.addProperty("model_type", MODEL_TYPE);
    JsonArray arch = new JsonArray();
    arch.add("PolyDecoder");
    j.add("architectures", arch);
    j.addProperty("name", c.name());
    j.addProperty("vocab_size", c.vocabSize());
    j.addProperty("hidden_size", c.hiddenSize());
    j.addProperty("num_hidden_layers", c.numLayers());
    j.addProperty("num_attention_heads", c.numHeads());
    j.addProperty("intermediate_size", c.intermediateSize());
    j.addProperty("max_position_embeddings", c.maxPositions());
    j.addProperty("tie_word_embeddings", false);
    JsonObject att = new JsonObject();
    switch (c.attention()) {
      case Attention.Softmax s -> att.addProperty("kind", "softmax");
      case Attention.PowerSoftmax p -> {
        att.addProperty("kind", "power_softmax");
        att.addProperty("power", p.power());
        att.addProperty("epsilon", p.epsilon());
      }
    }
    j.add("attention", att);
    JsonObject norm = new JsonObject();
    norm.addProperty("kind", c.norm().kind().json());
    norm.addProperty("eps", c.norm().eps());
    j.add("norm", norm);
    JsonObject act = new JsonObject();
    act.addProperty("kind", c.activation());
    j.add("activation", act);
    c.approximations().ifPresent(a -> {
      JsonObject ap = new JsonObject();
      ap.add("attention_inverse", newtonJson(a.attentionInverse()));
      ap.add("norm_inverse_sqrt", newtonJson(a.normInverseSqrt()));
      JsonObject g = new JsonObject();
      g.add("input_range", pair(a.activation().series().a(), a.activation().series().b()));
      g.addProperty("degree", a.activation().series().degree());
      g.add("coefficients", numbers(a.activation().series().coefficients()));
      g.addProperty("max_abs_error", a.activation().maxAbsError());
      g.addProperty("encrypted_depth", a.activation().encryptedDepth());
      ap.add("activation", g);
      j.add("approximations", ap);
    });
    if (calibration != null) {
      j.add("calibration", calibration);
    }
    JsonObject tok = new JsonObject();
    tok.addProperty("kind", c.tokenizer().kind());
    if (c.tokenizer().kind().equals(TokenizerSpec.TASK_CHARS)) {
      JsonArray v = new JsonArray();
      c.tokenizer().vocab().forEach(v::add);
      tok.add("vocab", v);
      tok.addProperty("pad", c.tokenizer().pad());
      tok.addProperty("bos", c.tokenizer().bos());
      tok.addProperty("eos", c.tokenizer().eos());
    }
    j.add("tokenizer", tok);
    JsonObject training = new JsonObject();
    training.addProperty("command", c.provenance());
    j.add("training", training);
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(j) + "\n";
  }

  private static JsonObject newtonJson(NewtonApproximation n) {
    JsonObject o = new JsonObject();
    o.add("input_range", pair(n.lo(), n.hi()));
    o.addProperty("guess_degree", n.guess().degree());
    o.add("guess_coefficients", numbers(n.guess().coefficients()));
    o.addProperty("newton_iterations", n.iterations());
    o.addProperty("max_rel_error", n.maxRelError());
    o.addProperty("encrypted_depth", n.encryptedDepth());
    return o;
  }

  private static JsonArray pair(double a, double b) {
    return numbers(new double[] {a, b});
  }

  private static JsonArray numbers(double[] v) {
    JsonArray a = new JsonArray();
    for (double d : v) {
      a.add(d);
    }
    return a;
  }
}
