package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.profile.Primitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One encrypted forward pass, set up the same way for the local run ({@code polyhe run}, the
 * benchmarks) and for the server, so both run the same code: the arithmetic is the {@link
 * PassEngine}'s (the heap's, timed by primitive with {@link ProfilingArithmetic}; or a resident
 * device's, whose inputs enter and outputs and refreshed values leave through the engine's edges)
 * and stopped on request ({@link CancellableArithmetic}, outermost); a bootstrapper's sub-steps become spans of the {@code bootstrap} component, each taken
 * out of the refresh span around it, with the stop check between them; and the NTTs of the pass
 * are read from the engine's {@link NttTimingBackend}, when it has one, into the recorder at
 * {@link #close()}. The engine frees what a pass made at the end of {@link #forward}. What differs between the two runs comes from the caller: the stop check (the
 * server's call state; a local run never stops) and the refresh points (the client's answers, the
 * bootstrapper, or an in-process refresher).
 *
 * <p>Use: open, {@link #forward} once, close (try-with-resources); work done between opening and
 * closing on the opening thread, such as encrypting the input, counts in the NTT figure. Confined to
 * the thread that opened it: the NTT counters are per thread. A bootstrapper serves one pass at a
 * time (its listener is this pass's until {@link #close()}).
 */
public final class PassRunner implements AutoCloseable {
  private final EncryptedTransformer model;
  private final LatencyRecorder recorder;
  private final Bound<?> bound;
  private final Bootstrapper bootstrapper;
  private final NttTimingBackend ntt;
  private final long nttCalls;
  private final long nttNanos;
  private long forwardNanos;
  private boolean closed;

  /**
   * Opens a pass on the heap ({@link PassEngine#heap}): as {@link #PassRunner(EncryptedTransformer,
   * PassEngine, LatencyRecorder, CancellableArithmetic.Check, Bootstrapper)}.
   *
   * @param arithmetic real arithmetic with the keys of this pass (relinearisation, the model's and,
   *     when bootstrapping, the bootstrap's Galois keys)
   */
  public PassRunner(EncryptedTransformer model, CiphertextArithmetic arithmetic, LatencyRecorder recorder,
      CancellableArithmetic.Check check, Bootstrapper bootstrapper) {
    this(model, PassEngine.heap(arithmetic), recorder, check, bootstrapper);
  }

  /**
   * Opens a pass on {@code engine}.
   *
   * @param model the compiled model
   * @param engine where the pass's operations run, with the keys of this pass
   * @param recorder where spans and primitive times go
   * @param check asked before every operation and between bootstrap steps; it throws to stop the
   *     pass ({@link CancellableArithmetic.Check#NEVER} for a pass that is never stopped)
   * @param bootstrapper the bootstrapper the refresh points use, on the same keys, or null when the
   *     pass refreshes otherwise; its listener is set until {@link #close()}
   */
  public <C> PassRunner(EncryptedTransformer model, PassEngine<C> engine, LatencyRecorder recorder,
      CancellableArithmetic.Check check, Bootstrapper bootstrapper) {
    this.model = Objects.requireNonNull(model, "model");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(engine, "engine");
    this.bound = new Bound<>(engine, new CancellableArithmetic<>(engine.arithmetic(recorder), check));
    this.bootstrapper = bootstrapper;
    this.ntt = engine.nttTiming();
    this.nttCalls = ntt == null ? 0 : ntt.callsOnThisThread();
    this.nttNanos = ntt == null ? 0 : ntt.nanosOnThisThread();
    if (bootstrapper != null) {
      bootstrapper.setListener((step, nanos) -> {
        recorder.recordNested("bootstrap / " + step.label(), Component.BOOTSTRAP, nanos);
        check.throwIfCancelled();
      });
    }
  }

  /** The engine with its decorated arithmetic, typed together. */
  private record Bound<C>(PassEngine<C> engine, Arithmetic<C> arithmetic) {
    List<Ciphertext> forward(EncryptedTransformer model, List<Ciphertext> inputs, int tokens,
        RefreshPoints<Ciphertext> points, LatencyRecorder recorder) {
      engine.beginPass();
      try {
        List<C> in = new ArrayList<>(inputs.size());
        for (Ciphertext ct : inputs) {
          in.add(engine.enter(ct));
        }
        RefreshPoints<C> refresh = points.through(engine::leave, engine::enter);
        List<C> out = model.forward(arithmetic, in, tokens, refresh, recorder);
        List<Ciphertext> result = new ArrayList<>(out.size());
        for (C ct : out) {
          result.add(engine.leave(ct));
        }
        return result;
      } finally {
        engine.endPass();
      }
    }

    Ciphertext forward(EncryptedTransformer model, Ciphertext input, int tokens, RefreshPoints<Ciphertext> points,
        LatencyRecorder recorder) {
      engine.beginPass();
      try {
        C out = model.forward(arithmetic, engine.enter(input), tokens, points.through(engine::leave, engine::enter),
            recorder);
        return engine.leave(out);
      } finally {
        engine.endPass();
      }
    }
  }

  /** The engine the pass runs on. */
  public PassEngine<?> engine() {
    return bound.engine();
  }

  /**
   * The decorated arithmetic the pass runs on.
   *
   * @throws IllegalStateException if the pass runs on an engine other than the heap
   */
  @SuppressWarnings("unchecked")
  public Arithmetic<Ciphertext> arithmetic() {
    if (!bound.engine().name().equals("heap")) {
      throw new IllegalStateException("the pass runs on " + bound.engine().name() + ", not on heap ciphertexts");
    }
    return (Arithmetic<Ciphertext>) bound.arithmetic();
  }

  /**
   * The pass over {@code tokens} rows held by {@code inputs} (one ciphertext per tile), refreshing
   * at {@code points}; returns the logits, one ciphertext per input.
   *
   * @throws IllegalArgumentException as {@link EncryptedTransformer}'s pass does (tokens out of
   *     range, a wrong number of inputs)
   * @throws IllegalStateException if the runner is closed
   */
  public List<Ciphertext> forward(List<Ciphertext> inputs, int tokens, RefreshPoints<Ciphertext> points) {
    checkOpen();
    long start = System.nanoTime();
    try {
      return bound.forward(model, inputs, tokens, points, recorder);
    } finally {
      forwardNanos += System.nanoTime() - start;
    }
  }

  /**
   * The pass over {@code tokens} rows held by the one ciphertext {@code input}.
   *
   * @throws IllegalArgumentException as {@link EncryptedTransformer}'s pass does (tokens out of
   *     range, rows that take more than one ciphertext)
   * @throws IllegalStateException if the runner is closed
   */
  public Ciphertext forward(Ciphertext input, int tokens, RefreshPoints<Ciphertext> points) {
    checkOpen();
    long start = System.nanoTime();
    try {
      return bound.forward(model, input, tokens, points, recorder);
    } finally {
      forwardNanos += System.nanoTime() - start;
    }
  }

  /**
   * Wall seconds spent in {@link #forward} (the server's share of a pass: no encryption, decryption
   * or transfer), refreshes included.
   */
  public double forwardSeconds() {
    return forwardNanos / 1e9;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the pass is closed");
    }
  }

  /** Records the pass's NTTs (on this thread, since opening) and detaches the bootstrap listener. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (bootstrapper != null) {
      bootstrapper.setListener(null);
    }
    if (ntt != null) {
      recorder.addPrimitive(Primitive.NTT, ntt.callsOnThisThread() - nttCalls, ntt.nanosOnThisThread() - nttNanos);
    }
  }
}
