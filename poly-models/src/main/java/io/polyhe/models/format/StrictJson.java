package io.polyhe.models.format;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, strict accessors over a JSON object from one named file. Every accessor throws {@link
 * ModelFormatException} naming the file and the dotted path of the offending field, so a reader
 * fails on the first violation with a message a person can act on.
 *
 * <p>Immutable wrapper; the underlying {@link JsonObject} is never exposed for mutation.
 */
public final class StrictJson {
  private final String source;
  private final String path;
  private final JsonObject object;

  private StrictJson(String source, String path, JsonObject object) {
    this.source = source;
    this.path = path;
    this.object = object;
  }

  /**
   * Parses {@code text} as one JSON object under strict JSON syntax (no comments, no trailing
   * data, no duplicate keys).
   *
   * @throws ModelFormatException if the text is not exactly one well-formed JSON object
   */
  public static StrictJson parseObject(String source, String text) throws ModelFormatException {
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.STRICT);
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw new ModelFormatException(source, "expected a JSON object, found " + reader.peek());
      }
      JsonElement element = readValue(source, reader, "");
      boolean trailing;
      try {
        trailing = reader.peek() != JsonToken.END_DOCUMENT;
      } catch (IOException e) {
        trailing = true; // a second top-level value is a syntax error under strict parsing
      }
      if (trailing) {
        throw new ModelFormatException(source, "trailing data after the JSON object");
      }
      return new StrictJson(source, "", element.getAsJsonObject());
    } catch (IOException | JsonParseException | IllegalStateException e) {
      if (e instanceof ModelFormatException m) {
        throw m;
      }
      throw new ModelFormatException(source, "not valid JSON: " + brief(e.getMessage()), e);
    }
  }

  // gson's messages end with a troubleshooting link and a hint to go lenient; keep the facts.
  private static String brief(String message) {
    if (message == null) {
      return "syntax error";
    }
    return message.lines().findFirst().orElse("")
        .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
  }

  // Reads any value, rejecting duplicate keys (gson's tree model would keep the last silently).
  private static JsonElement readValue(String source, JsonReader r, String path)
      throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          if (o.has(name)) {
            throw new ModelFormatException(source, "duplicate key '" + join(path, name) + "'");
          }
          o.add(name, readValue(source, r, join(path, name)));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(readValue(source, r, path + "[]"));
        }
        r.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(r.nextString());
      }
      case NUMBER -> {
        String text = r.nextString();
        try {
          return new JsonPrimitive(new BigDecimal(text));
        } catch (NumberFormatException e) {
          throw new ModelFormatException(source, "'" + path + "': bad number " + text);
        }
      }
      case BOOLEAN -> {
        return new JsonPrimitive(r.nextBoolean());
      }
      case NULL -> {
        r.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new ModelFormatException(source, "unexpected JSON token " + r.peek());
    }
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** The file this object came from. */
  public String source() {
    return source;
  }

  /** Names of the fields present. */
  public Set<String> keys() {
    return new TreeSet<>(object.keySet());
  }

  /** Whether field {@code key} is present and not {@code null}. */
  public boolean has(String key) {
    return object.has(key) && !object.get(key).isJsonNull();
  }

  /** Throws unless every field is in {@code allowed}; catches misspelt keys. */
  public void requireOnly(Set<String> allowed) throws ModelFormatException {
    for (String k : object.keySet()) {
      if (!allowed.contains(k)) {
        throw fail(k, "unknown field (allowed: " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  /** The error for field {@code key}, for checks the caller makes itself. */
  public ModelFormatException fail(String key, String problem) {
    return new ModelFormatException(source, "'" + join(path, key) + "': " + problem);
  }

  private JsonElement require(String key) throws ModelFormatException {
    if (!has(key)) {
      throw fail(key, "missing");
    }
    return object.get(key);
  }

  /** Nested object {@code key}. */
  public StrictJson object(String key) throws ModelFormatException {
    JsonElement e = require(key);
    if (!e.isJsonObject()) {
      throw fail(key, "must be an object");
    }
    return new StrictJson(source, join(path, key), e.getAsJsonObject());
  }

  /** String field {@code key}. */
  public String string(String key) throws ModelFormatException {
    JsonElement e = require(key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw fail(key, "must be a string");
    }
    return e.getAsString();
  }

  /** Boolean field {@code key}. */
  public boolean bool(String key) throws ModelFormatException {
    JsonElement e = require(key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw fail(key, "must be true or false");
    }
    return e.getAsBoolean();
  }

  /** Finite number field {@code key}. */
  public double number(String key) throws ModelFormatException {
    return asNumber(key, require(key));
  }

  private double asNumber(String key, JsonElement e) throws ModelFormatException {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw fail(key, "must be a number");
    }
    double v;
    try {
      v = Double.parseDouble(e.getAsString());
    } catch (NumberFormatException ex) {
      throw fail(key, "must be a number, got " + e.getAsString());
    }
    if (!Double.isFinite(v)) {
      throw fail(key, "must be finite");
    }
    return v;
  }

  /** Integer field {@code key} within {@code [min, max]}. */
  public long integer(String key, long min, long max) throws ModelFormatException {
    return asInteger(key, require(key), min, max);
  }

  private long asInteger(String key, JsonElement e, long min, long max)
      throws ModelFormatException {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw fail(key, "must be an integer");
    }
    long v;
    try {
      v = Long.parseLong(e.getAsString());
    } catch (NumberFormatException ex) {
      throw fail(key, "must be an integer, got " + e.getAsString());
    }
    if (v < min || v > max) {
      throw fail(key, "must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  /** Array of finite numbers {@code key}. */
  public double[] numbers(String key) throws ModelFormatException {
    JsonArray a = array(key);
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = asNumber(key + "[" + i + "]", a.get(i));
    }
    return out;
  }

  /** Array of integers in {@code [min, max]} {@code key}. */
  public long[] integers(String key, long min, long max) throws ModelFormatException {
    JsonArray a = array(key);
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = asInteger(key + "[" + i + "]", a.get(i), min, max);
    }
    return out;
  }

  /** Array of strings {@code key}. */
  public String[] strings(String key) throws ModelFormatException {
    JsonArray a = array(key);
    String[] out = new String[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement e = a.get(i);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw fail(key + "[" + i + "]", "must be a string");
      }
      out[i] = e.getAsString();
    }
    return out;
  }

  /** Array of objects {@code key}. */
  public StrictJson[] objects(String key) throws ModelFormatException {
    JsonArray a = array(key);
    StrictJson[] out = new StrictJson[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement e = a.get(i);
      if (!e.isJsonObject()) {
        throw fail(key + "[" + i + "]", "must be an object");
      }
      out[i] = new StrictJson(source, join(path, key + "[" + i + "]"), e.getAsJsonObject());
    }
    return out;
  }

  /** Array of arrays of numbers {@code key} (a matrix, rows may differ in length). */
  public double[][] matrix(String key) throws ModelFormatException {
    JsonArray a = array(key);
    double[][] out = new double[a.size()][];
    for (int i = 0; i < out.length; i++) {
      JsonElement row = a.get(i);
      if (!row.isJsonArray()) {
        throw fail(key + "[" + i + "]", "must be an array");
      }
      JsonArray r = row.getAsJsonArray();
      out[i] = new double[r.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = asNumber(key + "[" + i + "][" + j + "]", r.get(j));
      }
    }
    return out;
  }

  private JsonArray array(String key) throws ModelFormatException {
    JsonElement e = require(key);
    if (!e.isJsonArray()) {
      throw fail(key, "must be an array");
    }
    return e.getAsJsonArray();
  }
}
