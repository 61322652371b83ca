package io.polyhe.cli.run;

import io.polyhe.models.config.TokenizerSpec;
import io.polyhe.models.tasks.Task;
import io.polyhe.models.tokenizer.HfTokenizer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.util.Optional;

/**
 * A model's prompts as text: its tokenizer (the task models' characters, or a text model's {@code
 * tokenizer.json} run by the Hugging Face library), the default prompt of {@code run} and {@code
 * demo}, and for task models the task's correct answer. Not thread-safe; {@link #close} frees a
 * native tokenizer.
 */
public final class PromptText implements AutoCloseable {
  /**
   * Default prompt of the task models: sorts to {@code 234$} in 4 tokens, digits inside the
   * tasks' 3–10 range (checked encrypted with {@code ./polyhe run}).
   */
  public static final String TASK_PROMPT = "^S342=";

  /**
   * Default prompt of text models: the shipped {@code fortune} continues it greedily with {@code and }
   * in 4 tokens (an English word; the tokenizer puts {@code <|endoftext|>} first, as in training;
   * checked encrypted with {@code ./polyhe demo}).
   */
  public static final String TEXT_PROMPT = "A man ";

  private final TaskTokenizer task;
  private final HfTokenizer text;

  /**
   * The tokenizer of {@code spec}.
   *
   * @throws IllegalArgumentException for a model without text (shape-only models)
   */
  public PromptText(TokenizerSpec spec) {
    switch (spec.kind()) {
      case TokenizerSpec.TASK_CHARS -> {
        task = new TaskTokenizer(spec);
        text = null;
      }
      case TokenizerSpec.TOKENIZER_JSON -> {
        task = null;
        text = new HfTokenizer(spec);
      }
      default -> throw new IllegalArgumentException("tokenizer kind '" + spec.kind() + "' has no text form");
    }
  }

  /** The default prompt for this model's kind. */
  public String defaultPrompt() {
    return task != null ? TASK_PROMPT : TEXT_PROMPT;
  }

  /** @throws IllegalArgumentException for text outside the vocabulary */
  public int[] encode(String s) {
    return task != null ? task.encode(s) : text.encode(s);
  }

  public String decode(int[] ids) {
    return task != null ? task.decode(ids) : text.decode(ids);
  }

  public int eos() {
    return task != null ? task.eos() : text.eos();
  }

  /**
   * For a task model and a prompt of one of its tasks, the correct answer ending with the end
   * mark ({@code $}); else empty.
   */
  public Optional<String> expectedAnswer(String prompt) {
    if (task == null || prompt.length() < 2) {
      return Optional.empty();
    }
    Task t = switch (prompt.substring(0, 2)) {
      case "^S" -> Task.SORT;
      case "^R" -> Task.REVERSE;
      case "^C" -> Task.COUNT;
      default -> null;
    };
    if (t == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(t.solve(prompt) + task.decode(new int[] {task.eos()}));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (text != null) {
      text.close();
    }
  }
}
