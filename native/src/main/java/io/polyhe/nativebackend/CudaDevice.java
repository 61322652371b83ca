package io.polyhe.nativebackend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.polyhe.he.backend.LimbSpan;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The resident API on a CUDA GPU: buffers are device memory from the library's stream-ordered
 * allocator, every operation is one kernel launch (or a few, for the NTT stages) queued on the
 * library's one stream, and failures surface at {@link #synchronize()} or {@link #download}.
 * Per-call constants (moduli, scalars, inverses) travel as kernel parameters; base-conversion
 * factors as a small upload per call (see {@code native/cuda/DESIGN.md}).
 *
 * <p>On a machine without a GPU the same class runs against the host build of the CUDA sources
 * ({@code -Dpolyhe.cuda.lib=.../libpolyhe_cuda_host.so}), which is how CI tests it. The
 * addresses held by the buffers' segments are device pointers: Java never dereferences them.
 */
@SuppressWarnings("restricted") // device pointers wrapped as sized segments, never dereferenced here
public final class CudaDevice extends PooledDevice {
  /** The device's name for {@code ResidentDevices.open}. */
  public static final String NAME = "cuda";

  private final int logN;

  /**
   * A CUDA device for limbs of {@code n} residues.
   *
   * @throws IllegalStateException if the CUDA library or a device is unavailable (with the reason)
   */
  public CudaDevice(int n) {
    super(NAME, n);
    if (!CudaLibrary.available()) {
      throw new IllegalStateException("CUDA unavailable: " + CudaLibrary.unavailableReason());
    }
    this.logN = Integer.numberOfTrailingZeros(n);
  }

  private static void check(int rc, String what) {
    CudaLibrary.check(rc, what);
  }

  private static void checkCount(int count) {
    if (count < 1 || count > CudaLibrary.MAX_LIMBS) {
      throw new IllegalArgumentException("1 to " + CudaLibrary.MAX_LIMBS + " limbs per CUDA call, got " + count);
    }
  }

  /** A host array of longs for one call (small: per-limb constants). */
  private MemorySegment longs(Arena a, long[] v) {
    return a.allocateFrom(JAVA_LONG, v);
  }

  // ---- memory ----------------------------------------------------------------------------------

  @Override
  MemorySegment rawAllocate(long bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check(Downcall.invoke("polyhe_cuda_alloc", () -> (int) CudaLibrary.ALLOC.invokeExact(bytes, out)), "alloc");
      return out.get(ADDRESS, 0).reinterpret(bytes);
    }
  }

  @Override
  void rawFree(MemorySegment memory) {
    check(Downcall.invoke("polyhe_cuda_free", () -> (int) CudaLibrary.FREE.invokeExact(memory)), "free");
  }

  @Override
  void zero(MemorySegment memory, long bytes) {
    check(Downcall.invoke("polyhe_cuda_zero", () -> (int) CudaLibrary.ZERO.invokeExact(memory, bytes)), "memset");
  }

  @Override
  void rawUpload(long[][] src, int srcFirst, int count, MemorySegment dst) {
    long limbBytes = (long) n() * Long.BYTES;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment staging = a.allocate(limbBytes * count, 64);
      for (int i = 0; i < count; i++) {
        MemorySegment.copy(src[srcFirst + i], 0, staging, JAVA_LONG, i * limbBytes, n());
      }
      // The library returns once the host buffer has been read (cudaMemcpyAsync from pageable memory).
      check(Downcall.invoke("polyhe_cuda_upload",
          () -> (int) CudaLibrary.UPLOAD.invokeExact(dst, staging, limbBytes * count)), "upload");
    }
  }

  @Override
  void rawDownload(MemorySegment src, int count, long[][] dst) {
    long limbBytes = (long) n() * Long.BYTES;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment staging = a.allocate(limbBytes * count, 64);
      check(Downcall.invoke("polyhe_cuda_download",
          () -> (int) CudaLibrary.DOWNLOAD.invokeExact(staging, src, limbBytes * count)), "download (or an operation queued before it)");
      for (int i = 0; i < count; i++) {
        MemorySegment.copy(staging, JAVA_LONG, i * limbBytes, dst[i], 0, n());
      }
    }
  }

  @Override
  void rawSynchronize() {
    check(Downcall.invoke("polyhe_cuda_synchronize", () -> (int) CudaLibrary.SYNCHRONIZE.invokeExact()),
        "a queued operation");
  }

  // ---- kernels ---------------------------------------------------------------------------------

  @Override
  public synchronized void copy(LimbSpan src, LimbSpan dst) {
    sameCount(src, dst);
    MemorySegment s = at(src);
    MemorySegment d = at(dst);
    check(Downcall.invoke("polyhe_cuda_copy", () -> (int) CudaLibrary.COPY.invokeExact(d, s, s.byteSize())), "copy");
  }

  private void ntt(LimbSpan a, NttTables[] tables, int inverse) {
    int count = a.count();
    checkCount(count);
    checkTables(tables, count);
    long[] q = new long[count];
    for (int i = 0; i < count; i++) {
      CudaLibrary.register(tables[i]);
      q[i] = tables[i].modulus().value();
    }
    MemorySegment s = at(a);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment m = longs(ar, q);
      check(Downcall.invoke("polyhe_cuda_r_ntt", () -> (int) CudaLibrary.R_NTT.invokeExact(s, count, logN, m,
          inverse)), "NTT");
    }
  }

  @Override
  public synchronized void forwardNtt(LimbSpan a, NttTables[] tables) {
    ntt(a, tables, 0);
  }

  @Override
  public synchronized void inverseNtt(LimbSpan a, NttTables[] tables) {
    ntt(a, tables, 1);
  }

  private void binary(int op, LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    int count = sameCount(a, b, out);
    checkCount(count);
    checkModuli(moduli, count);
    MemorySegment sa = at(a);
    MemorySegment sb = at(b);
    MemorySegment so = at(out);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment m = longs(ar, values(moduli, count));
      check(Downcall.invoke("polyhe_cuda_r_binary", () -> (int) CudaLibrary.R_BINARY.invokeExact(op, sa, sb, so,
          count, logN, m)), "pointwise operation " + op);
    }
  }

  @Override
  public synchronized void add(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    binary(0, a, b, out, moduli);
  }

  @Override
  public synchronized void sub(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    binary(1, a, b, out, moduli);
  }

  @Override
  public synchronized void multiply(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    binary(2, a, b, out, moduli);
  }

  @Override
  public synchronized void multiplyAccumulate(LimbSpan a, LimbSpan b, LimbSpan acc, Modulus[] moduli) {
    binary(3, a, b, acc, moduli);
  }

  @Override
  public synchronized void negate(LimbSpan a, LimbSpan out, Modulus[] moduli) {
    int count = sameCount(a, out);
    checkCount(count);
    checkModuli(moduli, count);
    MemorySegment sa = at(a);
    MemorySegment so = at(out);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment m = longs(ar, values(moduli, count));
      check(Downcall.invoke("polyhe_cuda_r_negate", () -> (int) CudaLibrary.R_NEGATE.invokeExact(sa, so, count, logN,
          m)), "negate");
    }
  }

  private void scalar(int op, LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli) {
    int count = sameCount(a, out);
    checkCount(count);
    checkScalars(scalars, moduli, count);
    MemorySegment sa = at(a);
    MemorySegment so = at(out);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment s = longs(ar, java.util.Arrays.copyOf(scalars, count));
      MemorySegment m = longs(ar, values(moduli, count));
      check(Downcall.invoke("polyhe_cuda_r_scalar", () -> (int) CudaLibrary.R_SCALAR.invokeExact(op, sa, s, so, count,
          logN, m)), "scalar operation " + op);
    }
  }

  @Override
  public synchronized void addScalar(LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli) {
    scalar(0, a, scalars, out, moduli);
  }

  @Override
  public synchronized void multiplyScalar(LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli) {
    scalar(1, a, scalars, out, moduli);
  }

  @Override
  public synchronized void multiplyScalarAccumulate(LimbSpan a, long[] scalars, LimbSpan acc, Modulus[] moduli) {
    scalar(2, a, scalars, acc, moduli);
  }

  @Override
  public synchronized void automorphismNtt(LimbSpan in, int galois, LimbSpan out) {
    int count = sameCount(in, out);
    checkCount(count);
    checkGalois(galois);
    if (overlap(in, out)) {
      throw new IllegalArgumentException("automorphism output overlaps its input");
    }
    MemorySegment si = at(in);
    MemorySegment so = at(out);
    check(Downcall.invoke("polyhe_cuda_r_automorphism_ntt", () -> (int) CudaLibrary.R_AUTOMORPHISM_NTT.invokeExact(
        si, galois, so, count, logN)), "automorphism");
  }

  @Override
  public synchronized void subtractAndScale(LimbSpan a, LimbSpan last, long[] inverses, LimbSpan out,
      Modulus[] moduli) {
    int count = sameCount(a, last, out);
    checkCount(count);
    checkScalars(inverses, moduli, count);
    MemorySegment sa = at(a);
    MemorySegment sl = at(last);
    MemorySegment so = at(out);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment inv = longs(ar, java.util.Arrays.copyOf(inverses, count));
      MemorySegment m = longs(ar, values(moduli, count));
      check(Downcall.invoke("polyhe_cuda_r_subtract_and_scale", () -> (int) CudaLibrary.R_SUBTRACT_AND_SCALE
          .invokeExact(sa, sl, inv, so, count, logN, m)), "rescale step");
    }
  }

  @Override
  public synchronized void convertBasis(LimbSpan in, Modulus[] from, long[] hatInverse, long[][] hat, long[] dModTo,
      LimbSpan out, Modulus[] to) {
    int fromCount = in.count();
    int toCount = out.count();
    checkCount(fromCount);
    checkCount(toCount);
    if (overlap(in, out)) {
      throw new IllegalArgumentException("base conversion output overlaps its input");
    }
    checkScalars(hatInverse, from, fromCount);
    checkScalars(dModTo, to, toCount);
    if (hat.length < fromCount) {
      throw new IllegalArgumentException("base conversion factors shorter than the bases");
    }
    MemorySegment si = at(in);
    MemorySegment so = at(out);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment rows = ar.allocate(JAVA_LONG, (long) fromCount * toCount);
      for (int i = 0; i < fromCount; i++) {
        MemorySegment.copy(hat[i], 0, rows, JAVA_LONG, (long) i * toCount * Long.BYTES, toCount);
      }
      MemorySegment fq = longs(ar, values(from, fromCount));
      MemorySegment hi = longs(ar, java.util.Arrays.copyOf(hatInverse, fromCount));
      MemorySegment dm = longs(ar, java.util.Arrays.copyOf(dModTo, toCount));
      MemorySegment tq = longs(ar, values(to, toCount));
      check(Downcall.invoke("polyhe_cuda_r_convert_basis", () -> (int) CudaLibrary.R_CONVERT_BASIS.invokeExact(si, fq,
          hi, fromCount, rows, dm, so, tq, toCount, logN)), "base conversion");
    }
  }

  @Override
  public synchronized void keySwitchInnerProduct(LimbSpan[] digits, LimbSpan[] keyB, LimbSpan[] keyA, LimbSpan out0,
      LimbSpan out1, Modulus[] moduli) {
    int terms = digits.length;
    if (terms == 0 || terms > CudaLibrary.MAX_TERMS || keyB.length != terms || keyA.length != terms) {
      throw new IllegalArgumentException(terms + " digits (1 to " + CudaLibrary.MAX_TERMS + "), " + keyB.length
          + " and " + keyA.length + " key parts");
    }
    int count = sameCount(out0, out1);
    checkCount(count);
    checkModuli(moduli, count);
    if (overlap(out0, out1)) {
      throw new IllegalArgumentException("inner product outputs overlap");
    }
    MemorySegment o0 = at(out0);
    MemorySegment o1 = at(out1);
    try (Arena ar = Arena.ofConfined()) {
      MemorySegment d = ar.allocate(ADDRESS, terms);
      MemorySegment b = ar.allocate(ADDRESS, terms);
      MemorySegment a = ar.allocate(ADDRESS, terms);
      for (int j = 0; j < terms; j++) {
        sameCount(digits[j], keyB[j], keyA[j], out0);
        d.setAtIndex(ADDRESS, j, at(digits[j]));
        b.setAtIndex(ADDRESS, j, at(keyB[j]));
        a.setAtIndex(ADDRESS, j, at(keyA[j]));
      }
      MemorySegment m = longs(ar, values(moduli, count));
      MethodHandle h = CudaLibrary.R_KEYSWITCH_INNER;
      check(Downcall.invoke("polyhe_cuda_r_keyswitch_inner", () -> (int) h.invokeExact(d, b, a, terms, o0, o1, count,
          logN, m)), "key-switching inner product");
    }
  }

  @Override
  public String toString() {
    return "CudaDevice(n=" + n() + ", " + CudaLibrary.device() + ")";
  }
}
