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
 * single-word, not normalised), and no post-processor or a {@code TemplateProcessing} one (its
 * {@code single} template: special tokens around the text, as Hugging Face adds them by default).
 * That is the tokenizer of polyhe's character-level text models.
 * Anything else is refused by name rather than approximated (docs/decisions.md, "The SDK's
 * tokenizer.json subset"). Immutable.
 *
 * @param vocab the token string of every id (model and added tokens)
 * @param added the added tokens' ids, longest content first (the order they are matched in)
 * @param before the ids the post-processor puts before a text
 * @param after the ids it puts after a text
 */
record CharLevelTokenizerJson(List<String> vocab, int[] added, int[] before, int[] after) {

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
    int[][] template = singleTemplate(root.get("post_processor"), vocab.size());
    return new CharLevelTokenizerJson(List.copyOf(vocab), added, template[0], template[1]);
  }

  CharLevelTokenizerJson {
    added = added.clone();
    before = before.clone();
    after = after.clone();
  }

  @Override
  public int[] added() {
    return added.clone();
  }

  @Override
  public int[] before() {
    return before.clone();
  }

  @Override
  public int[] after() {
    return after.clone();
  }

  /**
   * The ids a post-processor puts before and after a single text: none without one; for {@code
   * TemplateProcessing}, its {@code single} template's special tokens on either side of the one
   * {@code Sequence} entry, each resolved through its {@code special_tokens} entry.
   */
  private static int[][] singleTemplate(JsonElement processor, int vocabSize) {
    if (isNull(processor)) {
      return new int[][] {new int[0], new int[0]};
    }
    JsonObject p = processor.getAsJsonObject();
    if (!"TemplateProcessing".equals(string(p, "type"))) {
      throw unsupported("post_processor.type", "post-processor '" + string(p, "type") + "' (only TemplateProcessing)");
    }
    JsonElement single = p.get("single");
    if (single == null || !single.isJsonArray()) {
      throw new IllegalArgumentException("tokenizer.json: 'post_processor.single' is missing or not a list");
    }
    JsonObject specials = object(p, "special_tokens");
    List<Integer> before = new ArrayList<>();
    List<Integer> after = new ArrayList<>();
    boolean seenSequence = false;
    for (JsonElement el : single.getAsJsonArray()) {
      JsonObject piece = el.getAsJsonObject();
      if (piece.has("Sequence")) {
        if (seenSequence) {
          throw unsupported("post_processor.single", "a single template with two sequences");
        }
        seenSequence = true;
      } else if (piece.has("SpecialToken")) {
        String name = string(piece.getAsJsonObject("SpecialToken"), "id");
        JsonElement entry = specials.get(name);
        if (entry == null || !entry.isJsonObject() || !entry.getAsJsonObject().has("ids")) {
          throw new IllegalArgumentException("tokenizer.json: post_processor special token '" + name
              + "' has no entry with ids in special_tokens");
        }
        for (JsonElement id : entry.getAsJsonObject().getAsJsonArray("ids")) {
          int v = id.getAsInt();
          if (v < 0 || v >= vocabSize) {
            throw new IllegalArgumentException("tokenizer.json: post_processor special token '" + name
                + "' has id " + v + " outside [0, " + vocabSize + ")");
          }
          (seenSequence ? after : before).add(v);
        }
      } else {
        throw unsupported("post_processor.single", "template piece " + piece.keySet());
      }
    }
    if (!seenSequence) {
      throw new IllegalArgumentException("tokenizer.json: post_processor.single has no Sequence");
    }
    return new int[][] {
        before.stream().mapToInt(Integer::intValue).toArray(), after.stream().mapToInt(Integer::intValue).toArray()};
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
    return "CharLevelTokenizerJson(" + vocab.size() + " tokens, added " + Arrays.toString(added)
        + ", template " + Arrays.toString(before) + " text " + Arrays.toString(after) + ")";
  }
}
