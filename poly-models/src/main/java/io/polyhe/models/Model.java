package io.polyhe.models;

import io.polyhe.models.config.ConfigJson;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.NeoXConfigJson;
import io.polyhe.models.format.StrictJson;
import io.polyhe.models.weights.NeoXWeights;
import java.util.Arrays;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.safetensors.SafetensorsFile;
import io.polyhe.models.weights.ModelWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads a model stored as {@code config.json} + {@code model.safetensors}, validating the
 * weights against the configuration: polyhe's own decoder ({@code model_type} {@code
 * polyhe-decoder}) or a Hugging Face GPT-NeoX directory as it is ({@code architectures} {@code
 * ["GPTNeoXForCausalLM"]}, which also needs {@code tokenizer.json}). Any other architecture is
 * refused by name. Stateless; thread-safe.
 */
public final class Model {
  /** Name of the configuration file in a model directory. */
  public static final String CONFIG = "config.json";

  /** Name of the weights file in a model directory. */
  public static final String WEIGHTS = "model.safetensors";

  /** Name of the Hugging Face tokenizer file (GPT-NeoX directories). */
  public static final String TOKENIZER = "tokenizer.json";

  /** Where a model's three files come from. */
  private interface Files3 {
    String text(String file) throws IOException;

    SafetensorsFile weights() throws IOException;

    String name();

    String where(String file);
  }

  private Model() {}

  /**
   * Loads the model in directory {@code dir}.
   *
   * @throws ModelFormatException if a file is malformed or the weights do not match the config
   * @throws IOException if a file is missing or unreadable
   */
  public static Transformer load(Path dir) throws IOException {
    Path config = dir.resolve(CONFIG);
    if (!Files.isRegularFile(config)) {
      throw new NoSuchFileException(config.toString(), null, "no model config here");
    }
    return load(new Files3() {
      @Override
      public String text(String file) throws IOException {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
          throw new NoSuchFileException(p.toString(), null, "a GPT-NeoX directory needs " + file);
        }
        return Files.readString(p, StandardCharsets.UTF_8);
      }

      @Override
      public SafetensorsFile weights() throws IOException {
        return SafetensorsFile.read(dir.resolve(WEIGHTS));
      }

      @Override
      public String name() {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? "model" : n.toString();
      }

      @Override
      public String where(String file) {
        return dir.resolve(file).toString();
      }
    });
  }

  private static Transformer load(Files3 files) throws IOException {
    String configSource = files.where(CONFIG);
    String text = files.text(CONFIG);
    StrictJson j = StrictJson.parseObject(configSource, text);
    if (j.has("model_type") && j.string("model_type").equals("polyhe-decoder")) {
      ModelConfig c = ConfigJson.parse(configSource, text);
      return new Transformer(c, ModelWeights.from(c, files.weights()));
    }
    if (NeoXConfigJson.isNeoX(configSource, text)) {
      ModelConfig c = NeoXConfigJson.parse(configSource, text, files.where(TOKENIZER), files.text(TOKENIZER), files.name());
      return new Transformer(c, NeoXWeights.from(c, files.weights()));
    }
    throw j.fail("architectures", "unknown architecture "
        + (j.has("architectures") ? Arrays.toString(j.strings("architectures")) : "(none given)")
        + (j.has("model_type") ? " with model_type '" + j.string("model_type") + "'" : "")
        + " (supported: " + NeoXConfigJson.ARCHITECTURE + ", polyhe-decoder)");
  }

  /**
   * Loads the model stored under classpath folder {@code resourceDir} (e.g. {@code
   * /models/tiny}).
   *
   * @throws IOException if a resource is missing or malformed
   */
  public static Transformer loadResource(String resourceDir) throws IOException {
    return load(new Files3() {
      @Override
      public String text(String file) throws IOException {
        return new String(resource(where(file)), StandardCharsets.UTF_8);
      }

      @Override
      public SafetensorsFile weights() throws IOException {
        return SafetensorsFile.parse(ByteBuffer.wrap(resource(where(WEIGHTS))), where(WEIGHTS));
      }

      @Override
      public String name() {
        return resourceDir.substring(resourceDir.lastIndexOf('/') + 1);
      }

      @Override
      public String where(String file) {
        return resourceDir + "/" + file;
      }
    });
  }

  /** Number of weights (parameters) of a model of configuration {@code c}. */
  public static long parameterCount(ModelConfig c) {
    java.util.Map<String, long[]> shapes = c.isNeoX() ? NeoXWeights.expectedShapes(c) : ModelWeights.expectedShapes(c);
    long n = 0;
    for (long[] shape : shapes.values()) {
      long k = 1;
      for (long d : shape) {
        k *= d;
      }
      n += k;
    }
    return n;
  }

  /** The bytes of classpath resource {@code name}. */
  static byte[] resource(String name) throws IOException {
    try (InputStream in = Model.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the classpath");
      }
      return in.readAllBytes();
    }
  }
}
