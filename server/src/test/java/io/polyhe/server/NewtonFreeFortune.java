package io.polyhe.server;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shipped {@code fortune} written as a model directory, for tests that serve a model from a
 * directory. It must be Newton-free (the encrypted pass evaluates Chebyshev guesses only; the
 * conversion ran with {@code --max-newton 0}): the copy checks that and fails otherwise.
 */
final class NewtonFreeFortune {
  private NewtonFreeFortune() {}

  /** Writes config.json, model.safetensors and tokenizer.json into {@code dir}; returns {@code dir}. */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.write(dir.resolve(f), resource("/models/fortune/" + f));
    }
    JsonObject approx = JsonParser.parseString(Files.readString(dir.resolve("config.json"), StandardCharsets.UTF_8))
        .getAsJsonObject().getAsJsonObject("approximations");
    for (String field : new String[] {"norm_inverse_sqrt", "attention_inverse"}) {
      if (approx.getAsJsonObject(field).get("newton_iterations").getAsInt() != 0) {
        throw new AssertionError("the shipped fortune's " + field + " takes Newton steps");
      }
    }
    return dir;
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
