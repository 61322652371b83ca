package io.polyhe.server;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every java.util.logging record (polyhe's at every level, other libraries' from INFO) as
 * the text a log file would get, stack traces included, so tests can scan it for secrets.
 */
final class LogCapture extends Handler {
  private static final Logger ROOT = Logger.getLogger("");
  // Held strongly: a logger whose level was set must not be collected (and its level lost).
  private static final Logger POLYHE = Logger.getLogger("io.polyhe");
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final List<String> lines = new ArrayList<>();

  private LogCapture() {
    setLevel(Level.ALL);
  }

  /** Starts capturing; {@link #close()} stops. */
  static LogCapture install() {
    LogCapture c = new LogCapture();
    POLYHE.setLevel(Level.ALL);
    ROOT.addHandler(c);
    return c;
  }

  @Override
  public synchronized void publish(LogRecord r) {
    lines.add(formatter.format(r));
  }

  /** Everything captured so far, as one text. */
  synchronized String text() {
    return String.join("", lines);
  }

  synchronized int records() {
    return lines.size();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    ROOT.removeHandler(this);
    POLYHE.setLevel(null);
  }
}
