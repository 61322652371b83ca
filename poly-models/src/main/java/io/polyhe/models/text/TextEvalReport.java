package io.polyhe.models.text;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

/**
 * The result of {@code models eval} for a text model: held-out bits per character of the softmax
 * teacher, of the polynomial student with exact functions (power exact) and with its
 * approximations (poly-plain), and the largest exact vs poly-plain logit difference.
 *
 * @param model the polynomial model's name
 * @param teacher the teacher's name
 * @param tokens number of predicted tokens (characters)
 * @param teacherBpc teacher, bits per character
 * @param powerExactBpc student, exact functions
 * @param polyPlainBpc student, approximations applied
 * @param maxAbsLogitDiff max over positions and ids of |exact - poly-plain| student logits
 */
public record TextEvalReport(String model, String teacher, long tokens, double teacherBpc, double powerExactBpc,
    double polyPlainBpc, double maxAbsLogitDiff) {

  /**
   * One line: {@code {"model", "corpus": {"tokens", "teacher_bpc", "power_exact_bpc",
   * "poly_plain_bpc", "max_abs_logit_diff"}}}.
   */
  public String toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("model", model);
    JsonObject c = new JsonObject();
    c.addProperty("tokens", tokens);
    c.addProperty("teacher_bpc", teacherBpc);
    c.addProperty("power_exact_bpc", powerExactBpc);
    c.addProperty("poly_plain_bpc", polyPlainBpc);
    c.addProperty("max_abs_logit_diff", maxAbsLogitDiff);
    root.add("corpus", c);
    return new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(root);
  }
}
