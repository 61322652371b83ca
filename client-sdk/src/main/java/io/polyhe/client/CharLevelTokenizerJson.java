package io.polyhe.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The subset of Hugging Face {@code tokenizer.json} that the SDK runs itself, exactly as the
 * {@code tokenizers} library does: a BPE model without merges (so every character is its own
 * token), no normalizer, no pre-tokenizer, no byte fallback, no subword prefix or suffix, no
 * dropout, the {@code Fuse} decoder, and added tokens matched verbatim (no stripping, not
 * single-word, not normalised). That is the tokenizer of polyhe's character-level text models.
 * Anything else is refused by name rather than approximated (docs/decisions.md, "The SDK's
 * tokenizer.json subset"). Immutable.
 *
 * @param vocab the token string of every id (model and added tokens)
 * @param added the added tokens' ids, longest content first (the order they are matched in)
 */
record CharLevelTokenizerJson(List<String> vocab, int[] added) {

  /**
   * Parses {@code definition}.
   *
   * @throws IllegalArgumentException naming the first field outside the subset, or for malformed JSON
   */
  static CharLevelTokenizerJson parse(String definition) {
    JsonObject root;
    try {
      root = JsonParser.parseString(definition).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("tokenizer.json is not a JSON object: " + e.getMessage(), e);
    }
    for (String f : new String[] {"normalizer", "pre_tokenizer"}) {
      if (!isNull(root.get(f))) {
        throw unsupported(f, "a " + f + " (the SDK runs character-level BPE without one)");
      }
    }
    JsonObject decoder = object(root, "decoder");
    if (!"Fuse".equals(string(decoder, "type"))) {
      throw unsupported("decoder.type", "decoder '" + string(decoder, "type") + "' (only Fuse)");
    }
    JsonObject model = object(root, "model");
    if (!"BPE".equals(string(model, "type"))) {
      throw unsupported("model.type", "model '" + string(model, "type") + "' (only BPE without merges)");
    }
    if (model.getAsJsonArray("merges") == null || !model.getAsJsonArray("merges").isEmpty()) {
      throw unsupported("model.merges", "BPE merges (only character-level BPE, with an empty merges list)");
    }
    for (String f : new String[] {"dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) {
      if (!isNull(model.get(f))) {
        throw unsupported("model." + f, "model." + f + " = " + model.get(f));
      }
    }
    for (String f : new String[] {"byte_fallback", "ignore_merges"}) {
      if (model.has(f) && model.get(f).getAsBoolean()) {
        throw unsupported("model." + f, "model." + f + " = true");
      }
    }
    Map<Integer, String> byId = new java.util.TreeMap<>();
    for (Map.Entry<String, JsonElement> e : object(model, "vocab").entrySet()) {
      put(byId, e.getValue().getAsInt(), e.getKey());
    }
    List<Integer> addedIds = new ArrayList<>();
    if (root.has("added_tokens")) {
      for (JsonElement el : root.getAsJsonArray("added_tokens")) {
        JsonObject a = el.getAsJsonObject();
        for (String f : new String[] {"single_word", "lstrip", "rstrip", "normalized"}) {
          if (a.has(f) && a.get(f).getAsBoolean()) {
            throw unsupported("added_tokens." + f, "added token option " + f + " = true");
          }
        }
        int id = a.get("id").getAsInt();
        String content = a.get("content").getAsString();
        if (content.isEmpty()) {
          throw new IllegalArgumentException("tokenizer.json: an added token is empty");
        }
        if (!content.equals(byId.get(id))) {
          put(byId, id, content);
        }
        addedIds.add(id);
      }
    }
    List<String> vocab = new ArrayList<>();
    for (Map.Entry<Integer, String> e : byId.entrySet()) {
      if (e.getKey() != vocab.size()) {
        throw new IllegalArgumentException("tokenizer.json: token ids are not 0.." + (byId.size() - 1)
            + " (id " + vocab.size() + " is missing)");
      }
      vocab.add(e.getValue());
    }
    int[] added = addedIds.stream().distinct()
        .sorted((x, y) -> Integer.compare(vocab.get(y).length(), vocab.get(x).length()))
        .mapToInt(Integer::intValue).toArray();
    return new CharLevelTokenizerJson(List.copyOf(vocab), added);
  }

  CharLevelTokenizerJson {
    added = added.clone();
  }

  @Override
  public int[] added() {
    return added.clone();
  }

  private static void put(Map<Integer, String> byId, int id, String token) {
    if (id < 0) {
      throw new IllegalArgumentException("tokenizer.json: negative token id " + id);
    }
    String was = byId.put(id, token);
    if (was != null && !was.equals(token)) {
      throw new IllegalArgumentException("tokenizer.json: id " + id + " is both '" + was + "' and '" + token + "'");
    }
  }

  private static boolean isNull(JsonElement e) {
    return e == null || e.isJsonNull();
  }

  private static JsonObject object(JsonObject o, String field) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException("tokenizer.json: '" + field + "' is missing or not an object");
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? "null" : e.getAsString();
  }

  private static IllegalArgumentException unsupported(String field, String what) {
    return new IllegalArgumentException("tokenizer.json field '" + field + "': " + what
        + " is not supported by the SDK's character-level tokenizer");
  }

  @Override
  public String toString() {
    return "CharLevelTokenizerJson(" + vocab.size() + " tokens, added " + Arrays.toString(added) + ")";
  }
}
