package io.polyhe.he.backend;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;

/**
 * The device-resident counterpart of {@link ComputeBackend}: the same kernels, on limbs that stay
 * in the device's memory ({@link DeviceBuffer}) across operations instead of Java arrays passed in
 * and out of every call. Ciphertexts, evaluation keys and encoded weights are uploaded once; data
 * crosses between Java and the device only through {@link #upload} and {@link #download} (the
 * edges of a pass), which {@link #transfers()} counts.
 *
 * <p>Execution model (CUDA's): operations are queued in order on one stream and may run after the
 * call returns. Arguments (spans, moduli, counts, ownership) are checked when an operation is
 * queued and throw {@link IllegalArgumentException} at once; a failure while it runs is sticky and
 * thrown as {@link IllegalStateException} by the next synchronisation point ({@link #synchronize},
 * {@link #download}), and operations queued after a failure are skipped. Freeing a buffer is
 * stream-ordered too, so a buffer may be closed while operations that read it are still queued.
 *
 * <p>Semantics are {@link ComputeBackend}'s, limb {@code i} of each span with {@code moduli[i]} (or
 * {@code tables[i]}): results are bit-identical to {@link JavaBackend}. Every span of one call has
 * the same count; outputs may alias inputs (same span) unless stated. Calls from several threads
 * are serialised; one pass normally drives a device from one thread.
 */
public interface ResidentDevice extends AutoCloseable {

  /** Short stable name: {@code native} (host memory, CPU kernels) or {@code cuda}. */
  String name();

  /** Residues per limb of every buffer of this device. */
  int n();

  /** A new buffer of {@code limbs} limbs, all zero. */
  DeviceBuffer allocate(int limbs);

  /** Copies {@code src[srcFirst + i]} into limb {@code i} of {@code dst} (an edge: counted). */
  void upload(long[][] src, int srcFirst, LimbSpan dst);

  /**
   * Waits for the queued operations, then copies limb {@code i} of {@code src} into {@code dst[i]}
   * (an edge: counted).
   *
   * @throws IllegalStateException if a queued operation failed
   */
  void download(LimbSpan src, long[][] dst);

  /** {@code dst = src}, device to device. */
  void copy(LimbSpan src, LimbSpan dst);

  /** In-place forward NTT of each limb with {@code tables[i]}. */
  void forwardNtt(LimbSpan a, NttTables[] tables);

  /** In-place inverse NTT of each limb with {@code tables[i]}. */
  void inverseNtt(LimbSpan a, NttTables[] tables);

  void add(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli);

  void sub(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli);

  void negate(LimbSpan a, LimbSpan out, Modulus[] moduli);

  /** Pointwise {@code out = a·b} (NTT form). */
  void multiply(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli);

  /** Pointwise {@code acc += a·b}. */
  void multiplyAccumulate(LimbSpan a, LimbSpan b, LimbSpan acc, Modulus[] moduli);

  /** {@code out = a·scalars[i]}, scalars reduced. */
  void multiplyScalar(LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli);

  /** {@code acc += a·scalars[i]}, scalars reduced. */
  void multiplyScalarAccumulate(LimbSpan a, long[] scalars, LimbSpan acc, Modulus[] moduli);

  /** {@code out = a + scalars[i]} in every slot, scalars reduced. */
  void addScalar(LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli);

  /**
   * Automorphism {@code X -> X^galois} in NTT form ({@code galois} odd, below 2N); {@code out} must
   * not overlap {@code in}.
   */
  void automorphismNtt(LimbSpan in, int galois, LimbSpan out);

  /** {@code out = (a - last)·inverses[i]} (the rescale and ModDown step). */
  void subtractAndScale(LimbSpan a, LimbSpan last, long[] inverses, LimbSpan out, Modulus[] moduli);

  /**
   * Centred fast base conversion of coefficient-form limbs, as {@link ComputeBackend#convertBasis}:
   * {@code in} over {@code from}, {@code out} over {@code to} ({@code hat[i][k]} for source i,
   * target k). {@code out} must not overlap {@code in}.
   */
  void convertBasis(LimbSpan in, Modulus[] from, long[] hatInverse, long[][] hat, long[] dModTo, LimbSpan out,
      Modulus[] to);

  /**
   * The key-switching inner product, fused: {@code out0 = Σ_j digits[j]·keyB[j]} and {@code out1 =
   * Σ_j digits[j]·keyA[j]} per limb, reading each digit once for both keys.
   */
  void keySwitchInnerProduct(LimbSpan[] digits, LimbSpan[] keyB, LimbSpan[] keyA, LimbSpan out0, LimbSpan out1,
      Modulus[] moduli);

  /**
   * Waits until every queued operation has run.
   *
   * @throws IllegalStateException with the first failure since the last synchronisation
   */
  void synchronize();

  /** Bytes and calls across the edges since the device was opened. */
  Transfers transfers();

  /** Bytes of device memory held by open buffers now (not counting the device's free pool). */
  long residentBytes();

  /** Frees the pool and every buffer still open; the device is unusable afterwards. */
  @Override
  void close();

  /** Edge traffic: what went in and came out, in bytes and calls. */
  record Transfers(long uploadedBytes, long uploads, long downloadedBytes, long downloads) {
    /** The traffic since {@code earlier}. */
    public Transfers since(Transfers earlier) {
      return new Transfers(uploadedBytes - earlier.uploadedBytes, uploads - earlier.uploads,
          downloadedBytes - earlier.downloadedBytes, downloads - earlier.downloads);
    }
  }
}
