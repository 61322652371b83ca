package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.profile.LatencyRecorder;

/**
 * Where a {@link PassRunner}'s ciphertext operations run: on the heap ({@link #heap}, he-core's
 * {@link CiphertextArithmetic} over the context's compute backend) or on a device where
 * ciphertexts stay resident between operations (supplied by a module that knows the device: the
 * CLI's {@code native-resident}; poly-models does not depend on the native module). A pass crosses
 * the engine's edges only through {@link #enter} (its input, a refreshed ciphertext coming back)
 * and {@link #leave} (its logits, a ciphertext going out for refresh); between {@link #beginPass}
 * and {@link #endPass} the engine may hold what the pass made, and frees it at the end.
 *
 * <p>One pass at a time; driven by the thread that runs the pass. {@link #close()} frees what the
 * engine holds across passes (keys, weights); the heap engine holds nothing.
 *
 * @param <C> the engine's ciphertext type
 */
public interface PassEngine<C> extends AutoCloseable {

  /** Makes the engine for a pass's keys; called once per set of keys (the evaluator holds them). */
  @FunctionalInterface
  interface Factory {
    /** The heap engine: {@link #heap} over the evaluator. */
    Factory HEAP = evaluator -> heap(new CiphertextArithmetic(evaluator));

    /**
     * @throws IllegalArgumentException if the engine cannot run here (the message says why)
     */
    PassEngine<?> create(Evaluator evaluator);
  }

  /** Short name for logs and reports: {@code heap}, {@code native-resident}, ... */
  String name();

  /** One line for logs: where the pass runs and what crosses its edges. */
  String describe();

  /**
   * The arithmetic the pass runs on, with primitive timing into {@code recorder} where the engine
   * can time primitives (see {@link #timesPrimitives}).
   */
  Arithmetic<C> arithmetic(LatencyRecorder recorder);

  /**
   * True if {@link #arithmetic} records per-primitive times and the context's NTTs belong to the
   * pass. False for a resident device: its operations are queued and run later, so a per-call time
   * would measure the queueing, not the work; such a pass records component spans only.
   */
  boolean timesPrimitives();

  /**
   * The timed backend whose NTTs on the pass's thread are the pass's ({@link PassRunner} records
   * them as a primitive), or null. Null for a resident device: its NTTs run on the device, and the
   * context's are then only those of the edges and of encoding weights.
   */
  default NttTimingBackend nttTiming() {
    return null;
  }

  /** Starts a pass (before its input enters). */
  void beginPass();

  /** A ciphertext entering the pass (an edge). */
  C enter(Ciphertext ct);

  /** A ciphertext leaving the pass (an edge; waits for the device where there is one). */
  Ciphertext leave(C ct);

  /**
   * Ends the pass: frees every ciphertext it made (after its outputs have left).
   *
   * @throws IllegalStateException if a queued device operation failed
   */
  void endPass();

  @Override
  default void close() {}

  /** The heap engine: ciphertexts are Java objects; edges are the identity; nothing to free. */
  static PassEngine<Ciphertext> heap(CiphertextArithmetic arithmetic) {
    return new PassEngine<>() {
      @Override
      public String name() {
        return "heap";
      }

      @Override
      public String describe() {
        return "pass on the heap (backend " + arithmetic.evaluator().context().backend().name() + ")";
      }

      @Override
      public Arithmetic<Ciphertext> arithmetic(LatencyRecorder recorder) {
        return new ProfilingArithmetic(arithmetic, recorder);
      }

      @Override
      public boolean timesPrimitives() {
        return true;
      }

      @Override
      public NttTimingBackend nttTiming() {
        return arithmetic.evaluator().context().backend() instanceof NttTimingBackend b ? b : null;
      }

      @Override
      public void beginPass() {}

      @Override
      public Ciphertext enter(Ciphertext ct) {
        return ct;
      }

      @Override
      public Ciphertext leave(Ciphertext ct) {
        return ct;
      }

      @Override
      public void endPass() {}

      @Override
      public String toString() {
        return describe();
      }
    };
  }
}
