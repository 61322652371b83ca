package io.polyhe.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SDK's tokenizer.json subset: what it runs (added tokens whole, one token per character, a
 * TemplateProcessing post-processor's special tokens around the text) and what it refuses by name.
 * The ids against the Hugging Face library itself are checked on every held-out fortune by the
 * server's {@code TextModelServiceEndToEndTest}.
 */
class CharLevelTokenizerJsonTest {

  private static final String EOT = "<|endoftext|>";

  private static String definition(String postProcessor, String preTokenizer, String merges) {
    return """
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
                           "rstrip": false, "normalized": false, "special": true}],
         "normalizer": null, "pre_tokenizer": %s, "post_processor": %s, "decoder": {"type": "Fuse"},
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                   "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                   "vocab": {"<|endoftext|>": 0, "a": 1, "b": 2}, "merges": %s}}
        """.formatted(preTokenizer, postProcessor, merges);
  }

  private static final String TEMPLATE = """
      {"type": "TemplateProcessing",
       "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
       "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
       "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}}}
      """;

  private static TextTokenizer tokenizer(String definition) {
    CharLevelTokenizerJson parsed = CharLevelTokenizerJson.parse(definition);
    return new TextTokenizer(io.polyhe.proto.v1.Tokenizer.newBuilder().setKind("tokenizer.json")
        .setDefinition(definition).addAllVocab(parsed.vocab()).setBos(0).setEos(0).build());
  }

  @Test
  void aTemplateProcessorPutsItsSpecialTokensAroundThePrompt() {
    TextTokenizer tok = tokenizer(definition(TEMPLATE, "null", "[]"));
    assertArrayEquals(new int[] {0, 1, 2, 0, 1}, tok.encode("ab" + EOT + "a"));
    assertArrayEquals(new int[] {1, 2, 0, 1}, tok.encodeWithoutSpecialTokens("ab" + EOT + "a"));
    assertArrayEquals(new int[] {0}, tok.encode(""));
    assertEquals(EOT + "ab", tok.decode(tok.encode("ab")));
  }

  @Test
  void withoutAPostProcessorNothingIsAdded() {
    TextTokenizer tok = tokenizer(definition("null", "null", "[]"));
    assertArrayEquals(new int[] {2, 1}, tok.encode("ba"));
    assertEquals(List.of(EOT, "a", "b"), CharLevelTokenizerJson.parse(definition("null", "null", "[]")).vocab());
  }

  @Test
  void whatTheSubsetDoesNotRunIsRefusedByName() {
    assertRefused(definition("{\"type\": \"ByteLevel\"}", "null", "[]"), "post_processor.type");
    assertRefused(definition("""
        {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
         {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}}""", "null", "[]"), "'<s>'");
    assertRefused(definition("""
        {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}},
         {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}}""", "null", "[]"), "post_processor.single");
    assertRefused(definition("null", "{\"type\": \"ByteLevel\"}", "[]"), "pre_tokenizer");
    assertRefused(definition("null", "null", "[\"a b\"]"), "model.merges");
    assertRefused("[1, 2]", "not a JSON object");
  }

  private static void assertRefused(String definition, String named) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CharLevelTokenizerJson.parse(definition));
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }
}
