package io.polyhe.client;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A served model, as the server lists it.
 *
 * @param name the name to ask for ({@link PolyheClient#model(String)})
 * @param description one line for people
 * @param modelHash SHA-256 of the model's config and weights files, lowercase hex (64 characters;
 *     empty if the server sent none): a client pins the model it encrypts for by it
 */
public record ModelInfo(String name, String description, String modelHash) {
  public ModelInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(modelHash, "modelHash");
  }

  static ModelInfo of(io.polyhe.proto.v1.ModelInfo m) {
    return new ModelInfo(m.getName(), m.getDescription(), HexFormat.of().formatHex(m.getModelHash().toByteArray()));
  }
}
