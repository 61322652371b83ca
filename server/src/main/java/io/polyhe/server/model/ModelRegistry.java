package io.polyhe.server.model;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.models.Model;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.Transformer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The models a server serves, by name. Built once at start-up; immutable; thread-safe. */
public final class ModelRegistry {
  private final Map<String, ServedModel> models;

  private ModelRegistry(Map<String, ServedModel> models) {
    this.models = Map.copyOf(models);
  }

  /** As {@link #load(Collection, ComputeBackend, RefreshMode)} with client-aided refresh. */
  public static ModelRegistry load(Collection<String> names, ComputeBackend backend) throws IOException {
    return load(names, backend, RefreshMode.CLIENT);
  }

  /**
   * Loads each of {@code names}: a shipped model's name or a model directory, compiled for {@code
   * refresh}.
   *
   * @throws IllegalArgumentException for an unknown model or none at all
   * @throws IOException if a model's files are unreadable
   */
  public static ModelRegistry load(Collection<String> names, ComputeBackend backend, RefreshMode refresh)
      throws IOException {
    return load(names, backend, refresh, WireFormat.POLYHE);
  }

  /**
   * As {@link #load(Collection, ComputeBackend, RefreshMode)}, every model's HE objects in {@code
   * format} (and compiled for its CKKS profile).
   */
  public static ModelRegistry load(Collection<String> names, ComputeBackend backend, RefreshMode refresh,
      WireFormat format) throws IOException {
    return load(names, backend, refresh, format, java.util.Optional.empty());
  }

  /**
   * As {@link #load(Collection, ComputeBackend, RefreshMode, WireFormat)}, every model with Galois
   * keys for at most {@code rotationKeys} rotation steps when present (see {@code
   * EncryptedTransformer.withRotationKeys}).
   */
  public static ModelRegistry load(Collection<String> names, ComputeBackend backend, RefreshMode refresh,
      WireFormat format, java.util.Optional<Integer> rotationKeys) throws IOException {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("serve at least one model");
    }
    Map<String, ServedModel> out = new LinkedHashMap<>();
    for (String n : names) {
      ServedModel m = loadOne(n, backend, refresh, format, rotationKeys);
      if (out.putIfAbsent(m.name(), m) != null) {
        throw new IllegalArgumentException("model '" + m.name() + "' named twice");
      }
    }
    return new ModelRegistry(out);
  }

  private static ServedModel loadOne(String nameOrDir, ComputeBackend backend, RefreshMode refresh,
      WireFormat format, java.util.Optional<Integer> rotationKeys) throws IOException {
    Path dir = Path.of(nameOrDir);
    byte[] config;
    byte[] weights;
    Transformer t;
    String name;
    String description;
    if (Files.isDirectory(dir)) {
      t = Model.load(dir);
      config = Files.readAllBytes(dir.resolve(Model.CONFIG));
      weights = Files.readAllBytes(dir.resolve(Model.WEIGHTS));
      name = t.config().name();
      description = "model directory " + dir.getFileName();
    } else {
      ShippedModels.Entry e = ShippedModels.entry(nameOrDir);
      t = ShippedModels.load(e.name());
      config = resource("/models/" + e.name() + "/" + Model.CONFIG);
      weights = resource("/models/" + e.name() + "/" + Model.WEIGHTS);
      name = e.name();
      description = e.description();
    }
    return new ServedModel(name, description, t, new String(config, StandardCharsets.UTF_8),
        hash(config, weights), backend, refresh, format, rotationKeys);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ModelRegistry.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the classpath");
      }
      return in.readAllBytes();
    }
  }

  // SHA-256 over the config, a separator and the weights: a client pins exactly these files.
  private static byte[] hash(byte[] config, byte[] weights) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(config);
      md.update((byte) 0);
      md.update(weights);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  public Optional<ServedModel> find(String name) {
    return Optional.ofNullable(models.get(name));
  }

  public Collection<ServedModel> all() {
    return models.values();
  }
}
