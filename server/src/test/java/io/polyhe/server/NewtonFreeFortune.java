package io.polyhe.server;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.approx.NewtonKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shipped {@code fortune} written as a model directory with every approximation that takes
 * Newton steps refitted on its interval without them (as FortuneEncryptedTest's {@code newtonFree}:
 * degree 255), because the encrypted pass evaluates Chebyshev guesses only. Once the shipped model
 * is Newton-free this copies it unchanged.
 */
final class NewtonFreeFortune {
  private NewtonFreeFortune() {}

  /** Writes config.json, model.safetensors and tokenizer.json of the refit into {@code dir}; returns {@code dir}. */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String f : new String[] {"model.safetensors", "tokenizer.json"}) {
      Files.write(dir.resolve(f), resource("/models/fortune/" + f));
    }
    JsonObject config = JsonParser.parseString(new String(resource("/models/fortune/config.json"),
        StandardCharsets.UTF_8)).getAsJsonObject();
    JsonObject approx = config.getAsJsonObject("approximations");
    refit(approx, "norm_inverse_sqrt", NewtonKind.INVERSE_SQRT, 5e-3);
    refit(approx, "attention_inverse", NewtonKind.INVERSE, 1e-4);
    Files.writeString(dir.resolve("config.json"),
        new GsonBuilder().setPrettyPrinting().create().toJson(config), StandardCharsets.UTF_8);
    return dir;
  }

  private static void refit(JsonObject approx, String field, NewtonKind kind, double tolerance) {
    JsonObject o = approx.getAsJsonObject(field);
    if (o.get("newton_iterations").getAsInt() == 0) {
      return;
    }
    JsonArray range = o.getAsJsonArray("input_range");
    NewtonApproximation r = ApproximationFitter.fitNewton(kind, range.get(0).getAsDouble(),
        range.get(1).getAsDouble(), 255, tolerance);
    if (r.iterations() != 0) {
      throw new AssertionError(field + ": a guess of degree 255 does not reach " + tolerance);
    }
    JsonObject n = new JsonObject();
    n.add("input_range", range);
    n.addProperty("guess_degree", r.guess().degree());
    JsonArray c = new JsonArray();
    for (double x : r.guess().coefficients()) {
      c.add(x);
    }
    n.add("guess_coefficients", c);
    n.addProperty("newton_iterations", 0);
    n.addProperty("max_rel_error", r.maxRelError());
    approx.add(field, n);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = NewtonFreeFortune.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }
}
