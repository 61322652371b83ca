package io.polyhe.cli.service;

import io.polyhe.client.ProgressListener;
import java.io.PrintStream;

/**
 * A one-line progress bar on stderr for key upload, forward passes and generation, drawn only when
 * stdout is a terminal (so piped and {@code --json} output stays clean). Thread-safe.
 */
final class ProgressBar implements ProgressListener {
  private final PrintStream out;
  private final boolean enabled;
  private int pass;

  private ProgressBar(PrintStream out, boolean enabled) {
    this.out = out;
    this.enabled = enabled;
  }

  /** A bar if stdout is a terminal, else a listener that draws nothing. */
  static ProgressBar forTerminal() {
    var console = System.console();
    return new ProgressBar(System.err, console != null && console.isTerminal());
  }

  @Override
  public synchronized void onProgress(Stage stage, int done, int total) {
    if (!enabled) {
      return;
    }
    String label = switch (stage) {
      case KEY_UPLOAD -> "keys   ";
      case FORWARD_PASS -> "pass " + pass + " ";
      case GENERATION -> "tokens ";
    };
    if (stage == Stage.GENERATION) {
      pass = done + 1;
    }
    int width = 30;
    int filled = total <= 0 ? 0 : Math.min(width, (int) ((long) width * done / total));
    out.printf("\r%s [%s%s] %d/%d   ", label, "#".repeat(filled), ".".repeat(width - filled), done, total);
    if (done >= total && stage != Stage.FORWARD_PASS) {
      out.println();
    }
    out.flush();
  }

  /** Ends the current line (after a forward pass, whose planned count is approximate). */
  synchronized void finishLine() {
    if (enabled) {
      out.println();
    }
  }
}
