package io.polyhe.nativebackend.resident;

import io.polyhe.he.backend.DeviceBuffer;
import io.polyhe.he.rlwe.RlweParameters;

/**
 * A CKKS ciphertext whose polynomials live on a {@link io.polyhe.he.backend.ResidentDevice}: 2 or
 * 3 parts, each a buffer of {@code level + 1} limbs in NTT form over {@code q_0..q_level}, with the
 * scale and parameters as in {@link io.polyhe.he.rlwe.Ciphertext}. Immutable as a value: no
 * operation writes the parts of an existing ciphertext, so two ciphertexts may share parts (each
 * share is a {@link DeviceBuffer#retain()}).
 *
 * <p>{@link #close()} releases its share of the device memory at once; an unclosed ciphertext is
 * freed by the buffers' cleaner once unreachable, and a {@link ResidentPass} closes every
 * ciphertext made during the pass except its outputs. Using a closed ciphertext throws {@link
 * IllegalStateException}. Thread-safe; {@code toString} shows shape only.
 */
public final class ResidentCiphertext implements AutoCloseable {
  private final RlweParameters params;
  private final DeviceBuffer[] parts;
  private final int level;
  private final double scale;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  ResidentCiphertext(RlweParameters params, DeviceBuffer[] parts, double scale) {
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException("a ciphertext has 2 or 3 parts, got " + parts.length);
    }
    this.params = params;
    this.parts = parts;
    this.level = parts[0].limbs() - 1;
    this.scale = scale;
  }

  public RlweParameters parameters() {
    return params;
  }

  public int level() {
    return level;
  }

  public double scale() {
    return scale;
  }

  public int size() {
    return parts.length;
  }

  /** Part {@code i}. */
  DeviceBuffer part(int i) {
    DeviceBuffer b = parts[i];
    if (closed.get() || !b.isOpen()) {
      throw new IllegalStateException("ciphertext already closed");
    }
    return b;
  }

  /** False once closed (or freed by the cleaner). */
  public boolean isOpen() {
    if (closed.get()) {
      return false;
    }
    for (DeviceBuffer b : parts) {
      if (!b.isOpen()) {
        return false;
      }
    }
    return true;
  }

  /** The same parts (shared, retained) read at another scale. */
  ResidentCiphertext sharedWithScale(double newScale) {
    DeviceBuffer[] shared = new DeviceBuffer[parts.length];
    for (int i = 0; i < parts.length; i++) {
      shared[i] = part(i).retain();
    }
    return new ResidentCiphertext(params, shared, newScale);
  }

  /** Releases this ciphertext's share of its parts; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (DeviceBuffer b : parts) {
        b.close();
      }
    }
  }

  @Override
  public String toString() {
    return "ResidentCiphertext(level=" + level + ", size=" + parts.length + ", log2 scale="
        + String.format("%.2f", Math.log(scale) / Math.log(2)) + ")";
  }
}
