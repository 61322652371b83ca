package io.polyhe.he.backend;

/**
 * A handle to {@code limbs()} limbs of {@code n()} 64-bit residues in the memory of a {@link
 * ResidentDevice} (GPU memory for CUDA, off-heap host memory for the CPU device). The words live on
 * the device; Java sees them only through {@link ResidentDevice#download}.
 *
 * <p>Lifetime: {@link #close()} hands the memory back to the device (stream-ordered: operations
 * already queued on it still complete). A buffer shared by several owners is {@link #retain()}ed
 * once per extra owner and freed when the last one closes. A buffer that becomes unreachable
 * without being closed is freed by the device's {@link java.lang.ref.Cleaner} as a safety net; code
 * should not rely on it, since a garbage collector does not see device memory pressure. Using a
 * closed buffer throws {@link IllegalStateException}. Thread-safe.
 */
public interface DeviceBuffer extends AutoCloseable {

  /** Number of limbs. */
  int limbs();

  /** Residues per limb (the device's ring degree). */
  int n();

  /** False once the last owner closed it. */
  boolean isOpen();

  /**
   * Adds an owner: the memory stays until {@link #close()} has been called once more.
   *
   * @return this buffer
   * @throws IllegalStateException if the buffer is already closed
   */
  DeviceBuffer retain();

  /** Drops one owner; the last one frees the memory. Idempotent once freed. */
  @Override
  void close();

  /** The span of limbs {@code [first, first + count)}. */
  default LimbSpan span(int first, int count) {
    return new LimbSpan(this, first, count);
  }

  /** All limbs. */
  default LimbSpan all() {
    return new LimbSpan(this, 0, limbs());
  }
}
