package io.polyhe.models.tasks;

import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.format.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The held-out test set shipped as {@code tasks/test.jsonl}: one JSON object {@code {"task",
 * "prompt", "answer"}} per line, written by {@code training/tasks.py --write-testset} (prompts
 * distinct within a task, excluded from training). Stateless.
 */
public final class TestSet {
  /** Classpath location of the shipped test set. */
  public static final String RESOURCE = "/tasks/test.jsonl";

  private TestSet() {}

  /**
   * The shipped test set.
   *
   * @throws IOException if it is missing or malformed
   */
  public static List<TaskExample> shipped() throws IOException {
    try (InputStream in = TestSet.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("test set resource " + RESOURCE + " is missing from the classpath");
      }
      return parse(RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /**
   * Parses JSON-lines text (blank lines ignored).
   *
   * @throws ModelFormatException naming the first bad line
   */
  public static List<TaskExample> parse(String source, String text) throws ModelFormatException {
    List<TaskExample> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String where = source + ":" + (i + 1);
      StrictJson j = StrictJson.parseObject(where, lines[i]);
      j.requireOnly(Set.of("task", "prompt", "answer"));
      try {
        out.add(new TaskExample(Task.parse(j.string("task")), j.string("prompt"), j.string("answer")));
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(where, e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }
}
