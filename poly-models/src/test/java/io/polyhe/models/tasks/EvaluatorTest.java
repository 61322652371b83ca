package io.polyhe.models.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.Transformer;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  @Test
  void scoresASampleAndReportsJson() throws IOException {
    Transformer tiny = ShippedModels.load("tiny");
    Transformer base = ShippedModels.load("tiny-softmax");
    List<TaskExample> all = TestSet.shipped();
    List<TaskExample> sample = java.util.stream.IntStream.range(0, all.size()).filter(i -> i % 25 == 0).mapToObj(all::get).toList();
    EvalReport r = Evaluator.evaluate(tiny, base, sample);
    assertEquals(3, r.tasks().size());
    for (TaskScore s : r.tasks().values()) {
      assertEquals(20, s.n());
      assertTrue(s.baselineAcc() >= 80 && s.powerExactAcc() >= 80 && s.polyPlainAcc() >= 80, s.toString());
      assertTrue(s.maxAbsLogitDiff() >= 0 && s.maxAbsLogitDiff() < 1, s.toString());
    }
    JsonObject j = JsonParser.parseString(r.toJson()).getAsJsonObject();
    assertEquals("tiny", j.get("model").getAsString());
    JsonObject sort = j.getAsJsonObject("tasks").getAsJsonObject("sort");
    assertEquals(20, sort.get("n").getAsInt());
    for (String k : List.of("baseline_acc", "power_exact_acc", "poly_plain_acc", "max_abs_logit_diff")) {
      assertTrue(sort.has(k), k);
    }
    assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(base, tiny, sample));
  }
}
