package io.polyhe.models.config;

import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.format.StrictJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Hugging Face GPT-NeoX {@code config.json} (the Pythia family) as it is, with its
 * {@code tokenizer.json}, into a {@link ModelConfig}; polyhe's own fields ({@code attention},
 * {@code approximations}, informational {@code calibration}, {@code corpus}, {@code training},
 * {@code name}) may stand beside NeoX's, as in a converted polynomial model.
 *
 * <p>Strict: {@code architectures} must be exactly {@code ["GPTNeoXForCausalLM"]} and {@code
 * model_type} (when present) {@code gpt_neox}; every field is either understood, known to be
 * irrelevant to inference (dropout, initialisation, caching, dtype, versions, ids), or refused by
 * name, as is every value this reader cannot honour (tied embeddings, {@code rope_scaling},
 * attention without bias, an activation other than GELU, an odd number of rotary dimensions).
 * Every failure is a {@link ModelFormatException} naming the file and the field. Stateless;
 * thread-safe.
 */
public final class NeoXConfigJson {
  /** The one architecture read here. */
  public static final String ARCHITECTURE = "GPTNeoXForCausalLM";

  private static final Set<String> USED = Set.of(
      "architectures", "model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
      "intermediate_size", "max_position_embeddings", "rotary_pct", "rotary_emb_base",
      "use_parallel_residual", "hidden_act", "layer_norm_eps", "tie_word_embeddings", "attention_bias",
      "rope_scaling", "bos_token_id", "eos_token_id", "pad_token_id");
  // Fields that do not change the function a trained checkpoint computes.
  private static final Set<String> IRRELEVANT = Set.of(
      "_name_or_path", "initializer_range", "use_cache", "torch_dtype", "transformers_version",
      "attention_dropout", "hidden_dropout", "classifier_dropout", "attention_probs_dropout_prob",
      "hidden_dropout_prob", "is_decoder", "type_vocab_size");
  private static final Set<String> POLYHE = Set.of(
      "name", "attention", "approximations", "calibration", "corpus", "training");

  private NeoXConfigJson() {}

  /** Whether {@code text} declares a GPT-NeoX model (its architectures or model_type say so). */
  public static boolean isNeoX(String source, String text) throws ModelFormatException {
    StrictJson j = StrictJson.parseObject(source, text);
    return (j.has("model_type") && j.string("model_type").equals("gpt_neox"))
        || (j.has("architectures") && Arrays.asList(j.strings("architectures")).contains(ARCHITECTURE));
  }

  /**
   * Parses {@code configText} (from {@code source}) and {@code tokenizerText} (from {@code
   * tokenizerSource}); {@code name} is used when the config has no {@code name}.
   *
   * @throws ModelFormatException on the first unknown, malformed or unsupported field
   */
  public static ModelConfig parse(String source, String configText, String tokenizerSource, String tokenizerText,
      String name) throws ModelFormatException {
    StrictJson j = StrictJson.parseObject(source, configText);
    for (String k : j.keys()) {
      if (!USED.contains(k) && !IRRELEVANT.contains(k) && !POLYHE.contains(k)) {
        throw j.fail(k, "unknown GPT-NeoX option (not supported by polyhe)");
      }
    }
    String[] arch = j.strings("architectures");
    if (arch.length != 1 || !arch[0].equals(ARCHITECTURE)) {
      throw j.fail("architectures", "unknown architecture " + Arrays.toString(arch) + " (supported: ["
          + ARCHITECTURE + "])");
    }
    if (j.has("model_type") && !j.string("model_type").equals("gpt_neox")) {
      throw j.fail("model_type", "must be gpt_neox, got '" + j.string("model_type") + "'");
    }
    if (j.has("tie_word_embeddings") && j.bool("tie_word_embeddings")) {
      throw j.fail("tie_word_embeddings", "tied embeddings are not supported (GPT-NeoX has an untied embed_out)");
    }
    if (j.has("attention_bias") && !j.bool("attention_bias")) {
      throw j.fail("attention_bias", "attention without bias is not supported");
    }
    if (j.has("rope_scaling")) {
      throw j.fail("rope_scaling", "scaled rotary embeddings are not supported (must be null or absent)");
    }
    String act = j.has("hidden_act") ? j.string("hidden_act") : "gelu";
    String activation = switch (act) {
      case "gelu" -> ModelConfig.GELU_ERF;
      case "gelu_new", "gelu_pytorch_tanh" -> ModelConfig.GELU_TANH;
      default -> throw j.fail("hidden_act", "unsupported activation '" + act
          + "' (gelu, gelu_new, gelu_pytorch_tanh)");
    };
    double eps = j.has("layer_norm_eps") ? j.number("layer_norm_eps") : 1e-5;
    try {
      int d = (int) j.integer("hidden_size", 1, 1 << 16);
      int heads = (int) j.integer("num_attention_heads", 1, 1024);
      Architecture.GptNeoX neox = new Architecture.GptNeoX(
          j.has("rotary_pct") ? j.number("rotary_pct") : 0.25,
          j.has("rotary_emb_base") ? j.number("rotary_emb_base") : 10000,
          !j.has("use_parallel_residual") || j.bool("use_parallel_residual"));
      Attention attention = j.has("attention") ? ConfigJson.attention(j.object("attention")) : new Attention.Softmax();
      Optional<Approximations> approx =
          j.has("approximations") ? Optional.of(ConfigJson.approximations(j.object("approximations"))) : Optional.empty();
      String provenance = j.has("training") && j.object("training").has("command")
          ? j.object("training").string("command")
          : "Hugging Face checkpoint " + source;
      int vocab = (int) j.integer("vocab_size", 1, 1 << 24);
      List<String> tokens = tokenizerVocab(tokenizerSource, tokenizerText);
      int bos = j.has("bos_token_id") ? (int) j.integer("bos_token_id", 0, tokens.size() - 1) : 0;
      int eos = j.has("eos_token_id") ? (int) j.integer("eos_token_id", 0, tokens.size() - 1) : bos;
      int pad = j.has("pad_token_id") ? (int) j.integer("pad_token_id", 0, tokens.size() - 1) : eos;
      return new ModelConfig(
          j.has("name") ? j.string("name") : name,
          vocab, d,
          (int) j.integer("num_hidden_layers", 1, 1024),
          heads,
          (int) j.integer("intermediate_size", 1, 1 << 18),
          (int) j.integer("max_position_embeddings", 1, 1 << 16),
          attention,
          new Norm(Norm.Kind.LAYERNORM, eps),
          activation,
          approx,
          new TokenizerSpec(TokenizerSpec.TOKENIZER_JSON, tokens, pad, bos, eos, tokenizerText),
          provenance,
          neox);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(source, e.getMessage(), e);
    }
  }

  /**
   * The token strings of a {@code tokenizer.json} by id: {@code model.vocab} and {@code
   * added_tokens}, which together must number the ids 0..n-1 without gap or clash.
   *
   * @throws ModelFormatException naming the offending field
   */
  static List<String> tokenizerVocab(String source, String text) throws ModelFormatException {
    StrictJson t = StrictJson.parseObject(source, text);
    StrictJson model = t.object("model");
    StrictJson vocab = model.object("vocab");
    List<String> byId = new ArrayList<>();
    for (String tok : vocab.keys()) {
      put(byId, (int) vocab.integer(tok, 0, 1 << 24), tok, vocab, tok);
    }
    if (t.has("added_tokens")) {
      for (StrictJson a : t.objects("added_tokens")) {
        int id = (int) a.integer("id", 0, 1 << 24);
        String content = a.string("content");
        if (id < byId.size() && content.equals(byId.get(id))) {
          continue; // an added token that is also in the model's vocabulary
        }
        put(byId, id, content, a, "id");
      }
    }
    int gap = byId.indexOf(null);
    if (gap >= 0) {
      throw new ModelFormatException(source, "no token has id " + gap + " (ids must be 0.." + (byId.size() - 1) + ")");
    }
    if (byId.isEmpty()) {
      throw model.fail("vocab", "is empty");
    }
    return byId;
  }

  private static void put(List<String> byId, int id, String token, StrictJson where, String field)
      throws ModelFormatException {
    while (byId.size() <= id) {
      byId.add(null);
    }
    if (byId.get(id) != null) {
      throw where.fail(field, "id " + id + " is given to both '" + byId.get(id) + "' and '" + token + "'");
    }
    byId.set(id, token);
  }
}
