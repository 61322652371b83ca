package io.polyhe.server.logging;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs at most {@code perWindow} lines per {@code window}; the rest are counted, and the first line
 * of the next window says how many were suppressed. For lines that outside callers can trigger at
 * will (a rejected API key), so that a flood of them cannot flood the log. Thread-safe.
 */
public final class RateLimitedLog {
  private final Logger logger;
  private final Level level;
  private final int perWindow;
  private final long windowNanos;
  private long windowStart = System.nanoTime();
  private int logged;
  private long suppressed;
  private long suppressedTotal;

  /**
   * @param perWindow lines logged per window, at least 1
   * @param window the window's length
   */
  public RateLimitedLog(Logger logger, Level level, int perWindow, Duration window) {
    if (perWindow < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("need at least one line per positive window");
    }
    this.logger = logger;
    this.level = level;
    this.perWindow = perWindow;
    this.windowNanos = window.toNanos();
  }

  /** Logs {@code message} unless this window's lines are used up (then it is only counted). */
  public void log(Supplier<String> message) {
    if (!logger.isLoggable(level)) {
      return;
    }
    long before;
    boolean last;
    synchronized (this) {
      long now = System.nanoTime();
      before = 0;
      if (now - windowStart >= windowNanos) {
        before = suppressed;
        suppressed = 0;
        logged = 0;
        windowStart = now;
      }
      if (logged >= perWindow) {
        suppressed++;
        suppressedTotal++;
        return;
      }
      logged++;
      last = logged == perWindow;
    }
    long earlier = before;
    logger.log(level, () -> message.get()
        + (earlier > 0 ? " (" + earlier + " more like it were suppressed before)" : "")
        + (last ? " (the next ones are suppressed for up to " + windowNanos / 1_000_000_000L + " s)" : ""));
  }

  /** Lines suppressed since this log was made. */
  public synchronized long suppressed() {
    return suppressedTotal;
  }
}
