package io.polyhe.models.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.models.ShippedModels;
import io.polyhe.models.tasks.TaskExample;
import io.polyhe.models.tasks.TestSet;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DecoderStateTest {
  static Transformer tiny;
  static Transformer softmax;
  static TaskTokenizer tok;

  @BeforeAll
  static void load() throws IOException {
    tiny = ShippedModels.load("tiny");
    softmax = ShippedModels.load("tiny-softmax");
    tok = new TaskTokenizer(tiny.config().tokenizer());
  }

  @Test
  void greedyGenerationFollowsTheArgmaxOfTeacherForcedLogits() throws IOException {
    List<TaskExample> some = TestSet.shipped().stream().filter(e -> e.prompt().hashCode() % 50 == 0).toList();
    for (Mode mode : Mode.values()) {
      for (TaskExample e : some) {
        int[] prompt = tok.encode(e.prompt());
        int[] gen = GreedyGenerator.generate(tiny, mode, prompt, 12, tok.eos());
        int[] seq = Arrays.copyOf(prompt, prompt.length + gen.length);
        System.arraycopy(gen, 0, seq, prompt.length, gen.length);
        double[][] logits = tiny.logits(seq, mode);
        for (int i = 0; i < gen.length; i++) {
          assertEquals(gen[i], GreedyGenerator.argmax(logits[prompt.length - 1 + i]));
        }
      }
    }
  }

  @Test
  void generatesTheAnswerOfAnEasyPrompt() {
    int[] gen = GreedyGenerator.generate(tiny, Mode.POLY_PLAIN, tok.encode("^R123="), 10, tok.eos());
    assertEquals("321$", tok.decode(gen));
    assertEquals("123$", tok.decode(GreedyGenerator.generate(softmax, Mode.EXACT, tok.encode("^S312="), 10, tok.eos())));
  }

  @Test
  void feedAndAppendAgree() {
    DecoderState a = tiny.start(Mode.EXACT);
    DecoderState b = tiny.start(Mode.EXACT);
    int[] t = tok.encode("^C3|1333=");
    for (int i = 0; i < t.length - 1; i++) {
      a.append(t[i]);
      b.feed(t[i]);
    }
    assertArrayEquals(a.append(t[t.length - 1]), b.append(t[t.length - 1]));
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> softmax.start(Mode.POLY_PLAIN));
    DecoderState s = tiny.start(Mode.EXACT);
    assertThrows(IllegalArgumentException.class, () -> s.append(18));
    assertThrows(IllegalArgumentException.class, () -> s.append(-1));
    for (int i = 0; i < tiny.config().maxPositions(); i++) {
      s.feed(1);
    }
    assertThrows(IllegalStateException.class, () -> s.append(1));
    assertThrows(IllegalArgumentException.class, () -> GreedyGenerator.generate(tiny, Mode.EXACT, new int[0], 3, 2));
  }
}
