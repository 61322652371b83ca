package io.polyhe.server.logging;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns down the loggers through which the transport libraries report errors that clients cause:
 * grpc-java's Netty transport logs a stack trace for a non-TLS byte on the TLS port, an oversized
 * message, a protocol error; shaded Netty warns about exceptions it passes on; Jetty (the metrics
 * endpoint) logs its start and stop. Any caller can trigger the first ones, so by default they
 * would let an unauthenticated client fill the log. The server's own outcome of each call is still
 * logged (the access log, one line per call).
 *
 * <p>A level set in the logging configuration ({@code java.util.logging.config.file}) wins: only
 * loggers without a configured level are changed, so an operator can turn them back up to debug.
 * Thread-safe; idempotent.
 */
public final class TransportLogging {
  /** The loggers and the level they get: their client-caused reports are below it. */
  private static final List<Logger> QUIETED = List.of(
      // "Transport failed" (INFO, with the exception) and "Exception processing message" (WARNING).
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty"),
      // Netty's pipeline and HTTP/2 codec warnings about a peer's bad frames.
      Logger.getLogger("io.grpc.netty.shaded.io.netty"),
      Logger.getLogger("org.eclipse.jetty"));
  private static final List<Level> LEVELS = List.of(Level.SEVERE, Level.SEVERE, Level.WARNING);

  private TransportLogging() {}

  /** Sets the default levels where the logging configuration sets none. */
  public static synchronized void quietByDefault() {
    for (int i = 0; i < QUIETED.size(); i++) {
      // The loggers are held in QUIETED: java.util.logging keeps loggers only weakly, and a level
      // set on a collected logger would be lost.
      if (QUIETED.get(i).getLevel() == null) {
        QUIETED.get(i).setLevel(LEVELS.get(i));
      }
    }
  }
}
