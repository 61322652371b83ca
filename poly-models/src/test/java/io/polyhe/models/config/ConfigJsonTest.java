package io.polyhe.models.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.polyhe.models.TestModels;
import io.polyhe.models.format.ModelFormatException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {

  private static JsonObject valid() {
    return JsonParser.parseString(ConfigJson.write(TestModels.small(Norm.Kind.LAYERNORM), null)).getAsJsonObject();
  }

  private static String rejected(Consumer<JsonObject> edit) {
    JsonObject j = valid();
    edit.accept(j);
    return assertThrows(ModelFormatException.class, () -> ConfigJson.parse("config.json", j.toString())).getMessage();
  }

  @Test
  void roundTrips() throws ModelFormatException {
    for (Norm.Kind k : Norm.Kind.values()) {
      ModelConfig c = TestModels.small(k);
      ModelConfig back = ConfigJson.parse("c", ConfigJson.write(c, null));
      assertEquals(c.attention(), back.attention());
      assertEquals(c.norm(), back.norm());
      assertEquals(c.tokenizer(), back.tokenizer());
      assertEquals(c.approximations().get().attentionInverse().guess(), back.approximations().get().attentionInverse().guess());
      assertEquals(c.approximations().get().activation().series(), back.approximations().get().activation().series());
      assertEquals(c.hiddenSize(), back.hiddenSize());
    }
  }

  @Test
  void rejectsMissingAndMistypedFields() {
    assertTrue(rejected(j -> j.remove("hidden_size")).contains("'hidden_size': missing"));
    assertTrue(rejected(j -> j.addProperty("hidden_size", "64")).contains("'hidden_size': must be an integer"));
    assertTrue(rejected(j -> j.addProperty("hidden_size", 6.5)).contains("must be an integer"));
    assertTrue(rejected(j -> j.addProperty("num_heads", 4)).contains("'num_heads': unknown field"));
  }

  @Test
  void rejectsInvalidArchitecture() {
    assertTrue(rejected(j -> j.addProperty("num_attention_heads", 3)).contains("not divisible"));
    assertTrue(rejected(j -> j.getAsJsonObject("attention").addProperty("power", 3)).contains("even"));
    assertTrue(rejected(j -> j.getAsJsonObject("attention").addProperty("epsilon", 0)).contains("epsilon must be positive"));
    assertTrue(rejected(j -> j.remove("approximations")).contains("needs approximations"));
    assertTrue(rejected(j -> j.getAsJsonObject("norm").addProperty("kind", "batchnorm")).contains("unknown norm kind"));
    assertTrue(rejected(j -> j.getAsJsonObject("activation").addProperty("kind", "relu")).contains("unknown activation"));
    assertTrue(rejected(j -> j.addProperty("vocab_size", 17)).contains("vocab_size is 17"));
    assertTrue(rejected(j -> j.addProperty("tie_word_embeddings", true)).contains("tied"));
  }

  @Test
  void rejectsInvalidApproximations() {
    assertTrue(rejected(j -> approx(j, "attention_inverse").add("input_range", pair(1, 0.5))).contains("lo < hi"));
    assertTrue(rejected(j -> approx(j, "norm_inverse_sqrt").add("input_range", pair(-1, 2))).contains("0 < lo < hi"));
    assertTrue(rejected(j -> approx(j, "attention_inverse").addProperty("guess_degree", 7)).contains("guess_degree + 1"));
    assertTrue(rejected(j -> approx(j, "activation").addProperty("degree", 1)).contains("degree + 1"));
    assertTrue(rejected(j -> approx(j, "activation").remove("coefficients")).contains("missing"));
    int depth = approx(valid(), "attention_inverse").get("encrypted_depth").getAsInt();
    assertTrue(rejected(j -> approx(j, "attention_inverse").addProperty("encrypted_depth", depth + 1))
        .contains("encrypted_depth': must be " + depth));
    assertTrue(rejected(j -> approx(j, "activation").addProperty("encrypted_depth", 0)).contains("encrypted_depth"));
  }

  @Test
  void encryptedDepthIsWrittenAndOptional() throws ModelFormatException {
    JsonObject j = valid();
    ModelConfig c = TestModels.small(Norm.Kind.LAYERNORM);
    Approximations a = c.approximations().orElseThrow();
    assertEquals(a.attentionInverse().encryptedDepth(), approx(j, "attention_inverse").get("encrypted_depth").getAsInt());
    assertEquals(a.normInverseSqrt().encryptedDepth(), approx(j, "norm_inverse_sqrt").get("encrypted_depth").getAsInt());
    assertEquals(a.activation().encryptedDepth(), approx(j, "activation").get("encrypted_depth").getAsInt());
    for (String name : new String[] {"attention_inverse", "norm_inverse_sqrt", "activation"}) {
      approx(j, name).remove("encrypted_depth");
    }
    ConfigJson.parse("config.json", j.toString()); // informational: older files without it still load
  }

  @Test
  void rejectsMalformedJson() {
    assertThrows(ModelFormatException.class, () -> ConfigJson.parse("c", "{"));
    assertThrows(ModelFormatException.class, () -> ConfigJson.parse("c", "[]"));
    String dup = valid().toString().replaceFirst("\\{", "{\"name\":\"a\",");
    assertTrue(assertThrows(ModelFormatException.class, () -> ConfigJson.parse("c", dup)).getMessage().contains("duplicate key 'name'"));
  }

  private static JsonObject approx(JsonObject j, String name) {
    return j.getAsJsonObject("approximations").getAsJsonObject(name);
  }

  private static JsonArray pair(double a, double b) {
    JsonArray r = new JsonArray();
    r.add(a);
    r.add(b);
    return r;
  }
}
