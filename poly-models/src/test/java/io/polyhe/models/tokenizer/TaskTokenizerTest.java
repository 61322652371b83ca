package io.polyhe.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.TestModels;
import io.polyhe.models.config.TokenizerSpec;
import io.polyhe.models.tasks.TaskExample;
import io.polyhe.models.tasks.TestSet;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskTokenizerTest {
  private final TaskTokenizer tok = new TaskTokenizer(new TokenizerSpec(TokenizerSpec.TASK_CHARS, TestModels.VOCAB, 0, 1, 2));

  @Test
  void roundTripsEveryTestPrompt() throws IOException {
    List<TaskExample> all = TestSet.shipped();
    for (TaskExample e : all) {
      String s = e.prompt() + e.answer() + "$";
      int[] ids = tok.encode(s);
      assertEquals(s.length(), ids.length);
      assertEquals(s, tok.decode(ids));
    }
  }

  @Test
  void roundTripsEveryId() {
    int[] ids = java.util.stream.IntStream.range(0, tok.size()).toArray();
    assertArrayEquals(ids, tok.encode(tok.decode(ids)));
    assertArrayEquals(new int[] {1, 13, 6, 3, 17}, tok.encode("^S30="));
  }

  @Test
  void rejectsUnknownSymbolsAndIds() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> tok.encode("^S3x=")).getMessage().contains("'x'"));
    assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {18}));
    assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    assertThrows(IllegalArgumentException.class,
        () -> new TaskTokenizer(new TokenizerSpec(TokenizerSpec.NONE, List.of(), 0, 0, 0)));
    assertThrows(IllegalArgumentException.class,
        () -> new TokenizerSpec(TokenizerSpec.TASK_CHARS, List.of("a", "a"), 0, 0, 0));
  }
}
