package io.polyhe.models.format;

import java.io.IOException;
import java.io.Serial;

/**
 * A model file (config, weights, golden vectors, test set) is malformed or does not match what
 * another file of the same model declares. The message names the file and the first violation.
 */
public final class ModelFormatException extends IOException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * @param source the file or resource that is malformed
   * @param problem what is wrong with it
   */
  public ModelFormatException(String source, String problem) {
    super(source + ": " + problem);
  }

  /** As {@link #ModelFormatException(String, String)}, keeping the lower-level cause. */
  public ModelFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
  }
}
