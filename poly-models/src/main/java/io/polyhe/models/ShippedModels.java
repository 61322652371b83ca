package io.polyhe.models;

import io.polyhe.models.forward.Transformer;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.format.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The models shipped in the jar under {@code /models/<name>/}, listed in {@code
 * /models/index.json} as {@code {"models": [{"name", "description", "baseline"?}]}}; {@code
 * baseline} names the softmax twin a polynomial model is compared against. Stateless.
 */
public final class ShippedModels {
  /** Index resource. */
  public static final String INDEX = "/models/index.json";

  /** The model used when none is named. */
  public static final String DEFAULT = "tiny";

  /**
   * One index entry.
   *
   * @param name directory name under {@code /models/}
   * @param description one line for {@code models list}
   * @param baseline the softmax twin, if any
   */
  public record Entry(String name, String description, Optional<String> baseline) {}

  private ShippedModels() {}

  /**
   * All shipped models, in index order.
   *
   * @throws IOException if the index is missing or malformed
   */
  public static List<Entry> list() throws IOException {
    StrictJson j = StrictJson.parseObject(INDEX, new String(Model.resource(INDEX), StandardCharsets.UTF_8));
    j.requireOnly(Set.of("models"));
    List<Entry> out = new ArrayList<>();
    for (StrictJson e : j.objects("models")) {
      e.requireOnly(Set.of("name", "description", "baseline"));
      out.add(
          new Entry(
              e.string("name"),
              e.string("description"),
              e.has("baseline") ? Optional.of(e.string("baseline")) : Optional.empty()));
    }
    return List.copyOf(out);
  }

  /**
   * The index entry of {@code name}.
   *
   * @throws IllegalArgumentException if no model of that name is shipped
   */
  public static Entry entry(String name) throws IOException {
    List<Entry> all = list();
    return all.stream()
        .filter(e -> e.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "no shipped model '" + name + "' (shipped: " + all.stream().map(Entry::name).toList() + ")"));
  }

  /**
   * Loads shipped model {@code name}.
   *
   * @throws IllegalArgumentException if no such model is shipped
   * @throws ModelFormatException if its files are malformed
   */
  public static Transformer load(String name) throws IOException {
    return Model.loadResource("/models/" + entry(name).name());
  }

  /**
   * Loads a model directory ({@code config.json} + {@code model.safetensors}) if {@code nameOrDir}
   * is one, else shipped model {@code nameOrDir}.
   *
   * @throws IllegalArgumentException if it is neither
   * @throws ModelFormatException if the files are malformed
   */
  public static Transformer loadShippedOrDirectory(String nameOrDir) throws IOException {
    java.nio.file.Path dir = java.nio.file.Path.of(nameOrDir);
    return java.nio.file.Files.isDirectory(dir) ? Model.load(dir) : load(nameOrDir);
  }
}
