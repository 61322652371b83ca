package io.polyhe.models.tasks;

/**
 * One test prompt with its reference answer.
 *
 * <p>Invariant: {@code answer} is the correct answer to {@code prompt} ({@link Task#solve}).
 *
 * @param task which task
 * @param prompt the prompt, BOS first, {@code =} last
 * @param answer the answer, without the final {@code $}
 */
public record TaskExample(Task task, String prompt, String answer) {

  /** @throws IllegalArgumentException if the prompt is malformed or the answer wrong */
  public TaskExample {
    String expected = task.solve(prompt);
    if (!expected.equals(answer)) {
      throw new IllegalArgumentException(
          "answer '" + answer + "' to " + prompt + " is wrong, expected '" + expected + "'");
    }
  }
}
