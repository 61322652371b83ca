package io.polyhe.cli.resident;

import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.encrypted.PassEngine;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.nativebackend.ResidentDevices;
import io.polyhe.nativebackend.resident.ResidentArithmetic;
import io.polyhe.nativebackend.resident.ResidentCiphertext;
import io.polyhe.nativebackend.resident.ResidentPass;

/**
 * A {@link PassEngine} on a {@link ResidentDevice}: the evaluation keys are uploaded when the
 * engine is made, the model's weights on first use (and stay while the model lives), and each pass
 * is a {@link ResidentPass.Scope}: its input is uploaded, its logits and the ciphertexts it sends
 * out for refresh are downloaded (the refreshed ones uploaded again), and at its end every
 * ciphertext it made is closed, so between passes the device holds only keys and weights.
 *
 * <p>Profiling: component spans are recorded as on the heap; per-primitive times are not (the
 * device queues operations, so a call's time is not its work) and the breakdown has no primitive
 * table for such a pass. {@link #lastPass()} gives the pass's edge traffic instead.
 *
 * <p>Owns its device: {@link #close()} frees keys, weights and the device. One pass at a time.
 */
public final class ResidentPassEngine implements PassEngine<ResidentCiphertext> {
  /** The suffix of a {@code --backend} value that selects this engine: {@code native-resident}. */
  public static final String SUFFIX = "-resident";

  private final ResidentDevice device;
  private final ResidentArithmetic arithmetic;
  private final long keyBytes;
  private ResidentPass.Scope scope;
  private ResidentPass.Result lastPass;

  /**
   * Opens the device {@code deviceName} ({@code native}: host memory and the CPU kernels; {@code
   * cuda}) and uploads the evaluator's keys.
   *
   * @throws IllegalArgumentException if the device cannot run here (the message says why)
   */
  public ResidentPassEngine(String deviceName, int threads, Evaluator evaluator) {
    this.device = ResidentDevices.open(deviceName, evaluator.context().parameters().rlwe().n(), threads);
    try {
      this.arithmetic = new ResidentArithmetic(device, evaluator.context(), evaluator.keys());
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
    this.keyBytes = arithmetic.residentKeyBytes();
  }

  /** True if {@code backend} (a {@code --backend} value) names a resident engine. */
  public static boolean selects(String backend) {
    return backend != null && backend.endsWith(SUFFIX);
  }

  /**
   * The factory for a {@code --backend} value such as {@code native-resident}.
   *
   * @throws IllegalArgumentException if {@code backend} does not name a resident engine
   */
  public static PassEngine.Factory factory(String backend, int threads) {
    if (!selects(backend)) {
      throw new IllegalArgumentException("not a resident backend: " + backend);
    }
    String deviceName = backend.substring(0, backend.length() - SUFFIX.length());
    return evaluator -> new ResidentPassEngine(deviceName, threads, evaluator);
  }

  @Override
  public String name() {
    return device.name() + SUFFIX;
  }

  @Override
  public String describe() {
    return "pass on resident device '" + device.name() + "' (ciphertexts, keys and weights in device memory;"
        + " edges: input in, logits and refresh ciphertexts out; no per-primitive timing)";
  }

  @Override
  public Arithmetic<ResidentCiphertext> arithmetic(LatencyRecorder recorder) {
    return arithmetic;
  }

  @Override
  public boolean timesPrimitives() {
    return false;
  }

  @Override
  public void beginPass() {
    if (scope != null) {
      throw new IllegalStateException("a resident pass is already running");
    }
    scope = ResidentPass.begin(arithmetic);
  }

  @Override
  public ResidentCiphertext enter(Ciphertext ct) {
    return current().upload(ct);
  }

  @Override
  public Ciphertext leave(ResidentCiphertext ct) {
    return current().download(ct);
  }

  private ResidentPass.Scope current() {
    if (scope == null) {
      throw new IllegalStateException("no resident pass is running");
    }
    return scope;
  }

  @Override
  public void endPass() {
    ResidentPass.Scope s = current();
    scope = null;
    lastPass = s.end();
  }

  /**
   * The last pass's edges and what stayed resident after it ({@link ResidentPass.Result#outputs()}:
   * every ciphertext it downloaded, refreshes' included), or null before the first pass.
   */
  public ResidentPass.Result lastPass() {
    return lastPass;
  }

  /** Device bytes of the evaluation keys (uploaded once). */
  public long keyBytes() {
    return keyBytes;
  }

  /** Device bytes of the encoded weights now resident. */
  public long weightBytes() {
    return arithmetic.residentWeightBytes();
  }

  /** The device (for its traffic and memory figures). */
  public ResidentDevice device() {
    return device;
  }

  @Override
  public void close() {
    try {
      arithmetic.close();
    } finally {
      device.close();
    }
  }

  @Override
  public String toString() {
    return "ResidentPassEngine(" + device.name() + ")";
  }
}
