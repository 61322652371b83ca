package io.polyhe.models.tasks;

import java.util.Arrays;

/**
 * The generated tasks. Prompts are {@code ^S<digits>=}, {@code ^R<digits>=} and {@code
 * ^C<q>|<digits>=}; the answer follows the {@code =} and the model ends it with {@code $}.
 */
public enum Task {
  SORT("sort"),
  REVERSE("reverse"),
  COUNT("count");

  private final String id;

  Task(String id) {
    this.id = id;
  }

  /** The name used in files and in {@code models eval} output. */
  public String id() {
    return id;
  }

  /** @throws IllegalArgumentException for an unknown name */
  public static Task parse(String id) {
    for (Task t : values()) {
      if (t.id.equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task '" + id + "' (sort, reverse, count)");
  }

  /**
   * The correct answer to {@code prompt} (without the final {@code $}).
   *
   * @throws IllegalArgumentException if the prompt is not of this task's form
   */
  public String solve(String prompt) {
    String head =
        switch (this) {
          case SORT -> "^S";
          case REVERSE -> "^R";
          case COUNT -> "^C";
        };
    if (!prompt.startsWith(head) || !prompt.endsWith("=")) {
      throw new IllegalArgumentException(id + " prompt must look like " + head + "...=, got " + prompt);
    }
    String body = prompt.substring(2, prompt.length() - 1);
    if (this == COUNT) {
      if (body.length() < 2 || body.charAt(1) != '|') {
        throw new IllegalArgumentException("count prompt must look like ^C<q>|<digits>=, got " + prompt);
      }
      char q = body.charAt(0);
      String digits = digits(body.substring(2), prompt);
      digits(String.valueOf(q), prompt);
      return Long.toString(digits.chars().filter(c -> c == q).count());
    }
    String digits = digits(body, prompt);
    if (this == REVERSE) {
      return new StringBuilder(digits).reverse().toString();
    }
    char[] c = digits.toCharArray();
    Arrays.sort(c);
    return new String(c);
  }

  private static String digits(String s, String prompt) {
    if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || !s.chars().allMatch(c -> c < 128)) {
      throw new IllegalArgumentException("expected ASCII digits in prompt " + prompt);
    }
    return s;
  }
}
