package io.polyhe.client;

/**
 * Progress of a long client operation, e.g. to draw a progress bar. Called from gRPC or worker
 * threads; implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Stages reported. */
  enum Stage {
    /** Evaluation keys generated and uploaded: {@code done} of {@code total} keys. */
    KEY_UPLOAD,
    /** A forward pass: {@code done} of {@code total} planned refreshes (one per segment boundary). */
    FORWARD_PASS,
    /** Generation: {@code done} of at most {@code total} tokens. */
    GENERATION
  }

  void onProgress(Stage stage, int done, int total);

  /** A listener that ignores everything. */
  ProgressListener NONE = (stage, done, total) -> {};
}
