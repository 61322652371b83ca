package io.polyhe.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.models.ShippedModels;
import io.polyhe.models.config.TokenizerSpec;
import io.polyhe.models.format.StrictJson;
import io.polyhe.models.text.HeldOutCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text models' tokenizer.json, run by the Hugging Face tokenizers library, against the
 * training side: every held-out fortune tokenises to exactly the ids {@code training/fortunes.py}
 * gives ({@code fortunes-heldout-ids.jsonl}, written by {@code fortunes.py --write-held-out}).
 */
class HfTokenizerTest {

  @Test
  void tokenisesTheWholeHeldOutSplitAsTheTrainingSideDoes() throws IOException {
    List<String> texts = HeldOutCorpus.fortunes().texts();
    List<int[]> ids = pythonIds();
    assertEquals(texts.size(), ids.size());
    TokenizerSpec spec = ShippedModels.load("fortune-teacher").config().tokenizer();
    try (HfTokenizer tok = new HfTokenizer(spec)) {
      for (int i = 0; i < texts.size(); i++) {
        int[] got = tok.encodeWithoutSpecialTokens(texts.get(i));
        assertArrayEquals(ids.get(i), got, "held-out fortune " + i);
        assertEquals(texts.get(i), tok.decode(got));
      }
      assertEquals(0, tok.bos());
      assertEquals(0, tok.eos());
      assertEquals(98, tok.size());
      assertEquals("<|endoftext|>", tok.decode(new int[] {0}));
    }
  }

  /**
   * A prompt starts with {@code <|endoftext|>}, as every training window starts a fortune: the
   * file's post-processor adds it, as Hugging Face does by default, and only it.
   */
  @Test
  void aPromptStartsWithEndOfTextAsInTraining() throws IOException {
    TokenizerSpec spec = ShippedModels.load("fortune").config().tokenizer();
    try (HfTokenizer tok = new HfTokenizer(spec)) {
      String prompt = "A man <|endoftext|>x";
      int[] own = tok.encodeWithoutSpecialTokens(prompt);
      int[] full = tok.encode(prompt);
      assertEquals(own.length + 1, full.length);
      assertEquals(tok.bos(), full[0]);
      assertArrayEquals(own, Arrays.copyOfRange(full, 1, full.length));
      assertEquals(0, own[6], "the special token inside the text is matched whole");
      assertArrayEquals(new int[] {tok.bos()}, tok.encode(""), "an empty prompt is the start of a fortune");
    }
  }

  @Test
  void refusesTextOutsideTheVocabularyAndIdsOutsideTheTokenizer() throws IOException {
    TokenizerSpec spec = ShippedModels.load("fortune-teacher").config().tokenizer();
    try (HfTokenizer tok = new HfTokenizer(spec)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("caf\u00e9"));
      assertEquals(true, e.getMessage().contains("not exactly representable"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {98}));
    }
    assertThrows(IllegalArgumentException.class,
        () -> new HfTokenizer(new TokenizerSpec(TokenizerSpec.NONE, List.of(), 0, 0, 0)));
  }

  private static List<int[]> pythonIds() throws IOException {
    try (InputStream in = HfTokenizerTest.class.getResourceAsStream("/fortunes-heldout-ids.jsonl")) {
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Arrays.stream(all.split("\n")).filter(l -> !l.isEmpty())
          .map(l -> {
            try {
              return Arrays.stream(StrictJson.parseObject("ids", l).integers("ids", 0, 97))
                  .mapToInt(Math::toIntExact).toArray();
            } catch (IOException x) {
              throw new java.io.UncheckedIOException(x);
            }
          })
          .toList();
    }
  }
}
