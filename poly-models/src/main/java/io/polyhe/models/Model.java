package io.polyhe.models;

import io.polyhe.models.config.ConfigJson;
import io.polyhe.models.config.ModelConfig;
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
 * weights against the configuration. Stateless; thread-safe.
 */
public final class Model {
  /** Name of the configuration file in a model directory. */
  public static final String CONFIG = "config.json";

  /** Name of the weights file in a model directory. */
  public static final String WEIGHTS = "model.safetensors";

  private Model() {}

  /**
   * Loads the model in directory {@code dir}.
   *
   * @throws ModelFormatException if a file is malformed or the weights do not match the config
   * @throws IOException if a file is missing or unreadable
   */
  public static Transformer load(Path dir) throws IOException {
    Path config = dir.resolve(CONFIG);
    Path weights = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(config)) {
      throw new NoSuchFileException(config.toString(), null, "no model config here");
    }
    ModelConfig c = ConfigJson.parse(config.toString(), Files.readString(config, StandardCharsets.UTF_8));
    return new Transformer(c, ModelWeights.from(c, SafetensorsFile.read(weights)));
  }

  /**
   * Loads the model stored under classpath folder {@code resourceDir} (e.g. {@code
   * /models/tiny}).
   *
   * @throws IOException if a resource is missing or malformed
   */
  public static Transformer loadResource(String resourceDir) throws IOException {
    String configName = resourceDir + "/" + CONFIG;
    ModelConfig c = ConfigJson.parse(configName, new String(resource(configName), StandardCharsets.UTF_8));
    String weightsName = resourceDir + "/" + WEIGHTS;
    return new Transformer(
        c, ModelWeights.from(c, SafetensorsFile.parse(ByteBuffer.wrap(resource(weightsName)), weightsName)));
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
