package io.polyhe.models.tasks;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The result of {@code models eval}: per-task scores of one polynomial model and its baseline.
 *
 * @param model the polynomial model's name
 * @param baseline the softmax baseline's name
 * @param tasks scores in task order
 */
public record EvalReport(String model, String baseline, Map<Task, TaskScore> tasks) {

  /** Copies {@code tasks} into an unmodifiable, task-ordered map. */
  public EvalReport {
    tasks = Collections.unmodifiableMap(new EnumMap<>(tasks));
  }

  /**
   * One line of JSON: {@code {"model":..., "tasks": {"<task>": {"n", "baseline_acc",
   * "power_exact_acc", "poly_plain_acc", "max_abs_logit_diff"}}}}.
   */
  public String toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("model", model);
    JsonObject ts = new JsonObject();
    tasks.forEach((task, s) -> {
      JsonObject o = new JsonObject();
      o.addProperty("n", s.n());
      o.addProperty("baseline_acc", s.baselineAcc());
      o.addProperty("power_exact_acc", s.powerExactAcc());
      o.addProperty("poly_plain_acc", s.polyPlainAcc());
      o.addProperty("max_abs_logit_diff", s.maxAbsLogitDiff());
      ts.add(task.id(), o);
    });
    root.add("tasks", ts);
    return new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(root);
  }
}
