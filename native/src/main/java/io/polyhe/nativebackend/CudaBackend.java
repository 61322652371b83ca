package io.polyhe.nativebackend;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA backend, first stage: every SPI call packs its limbs into one off-heap block, the
 * library copies it to pooled device memory, runs the kernel over all limbs at once, and copies
 * the result back — results bit-identical to the Java backend. Ciphertexts do not yet stay on the
 * GPU between calls (that needs the SPI over device buffers: the next stage of issue 9), so this
 * backend ranks below the native CPU one and runs only when asked for ({@code --backend cuda}).
 * Thread-safe (the library serialises calls).
 */
public final class CudaBackend implements ComputeBackend {
  /** The name {@code --backend} takes. */
  public static final String NAME = "cuda";

  private static final int ADD = 0;
  private static final int SUB = 1;
  private static final int MUL = 2;
  private static final int MUL_ACC = 3;

  /**
   * @throws IllegalStateException if the library or a device is missing (with the reason)
   */
  public CudaBackend() {
    if (!CudaLibrary.available()) {
      throw new IllegalStateException("CUDA backend unavailable: " + CudaLibrary.unavailableReason());
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int threads() {
    return 1;
  }

  private static int logN(int n) {
    if (Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("limb length " + n + " is not a power of two");
    }
    return Integer.numberOfTrailingZeros(n);
  }

  private static int length(long[][] limbs, int count) {
    if (count < 1 || limbs.length < count) {
      throw new IllegalArgumentException("need " + count + " limbs, have " + limbs.length);
    }
    int n = limbs[0].length;
    for (int i = 0; i < count; i++) {
      if (limbs[i].length != n) {
        throw new IllegalArgumentException("limb " + i + " has " + limbs[i].length + " words, limb 0 " + n);
      }
    }
    return n;
  }

  private static MemorySegment pack(Arena arena, long[][] limbs, int count, int n) {
    MemorySegment seg = arena.allocate(JAVA_LONG, (long) count * n);
    for (int i = 0; i < count; i++) {
      MemorySegment.copy(limbs[i], 0, seg, JAVA_LONG, (long) i * n * Long.BYTES, n);
    }
    return seg;
  }

  private static void unpack(MemorySegment seg, long[][] limbs, int count, int n) {
    for (int i = 0; i < count; i++) {
      MemorySegment.copy(seg, JAVA_LONG, (long) i * n * Long.BYTES, limbs[i], 0, n);
    }
  }

  private static MemorySegment values(Arena arena, Modulus[] moduli, int count) {
    if (moduli.length < count) {
      throw new IllegalArgumentException("need " + count + " moduli, have " + moduli.length);
    }
    MemorySegment seg = arena.allocate(JAVA_LONG, count);
    for (int i = 0; i < count; i++) {
      seg.setAtIndex(JAVA_LONG, i, moduli[i].value());
    }
    return seg;
  }

  private static MemorySegment longs(Arena arena, long[] v, int count) {
    if (v.length < count) {
      throw new IllegalArgumentException("need " + count + " values, have " + v.length);
    }
    MemorySegment seg = arena.allocate(JAVA_LONG, count);
    MemorySegment.copy(v, 0, seg, JAVA_LONG, 0, count);
    return seg;
  }

  private void ntt(long[][] limbs, NttTables[] tables, int count, int inverse) {
    int n = length(limbs, count);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment moduli = arena.allocate(JAVA_LONG, count);
      for (int i = 0; i < count; i++) {
        if (tables[i].n() != n) {
          throw new IllegalArgumentException("tables for n=" + tables[i].n() + ", limbs of " + n);
        }
        CudaLibrary.register(tables[i]);
        moduli.setAtIndex(JAVA_LONG, i, tables[i].modulus().value());
      }
      MemorySegment seg = pack(arena, limbs, count, n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_ntt", () -> (int) CudaLibrary.NTT.invokeExact(seg, count, logN(n), moduli, inverse)), "NTT");
      unpack(seg, limbs, count, n);
    }
  }

  @Override
  public void forwardNtt(long[][] limbs, NttTables[] tables, int count) {
    ntt(limbs, tables, count, 0);
  }

  @Override
  public void inverseNtt(long[][] limbs, NttTables[] tables, int count) {
    ntt(limbs, tables, count, 1);
  }

  private void binary(int op, long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    int n = length(a, count);
    length(b, count);
    length(out, count);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment o = op == MUL_ACC ? pack(arena, out, count, n) : arena.allocate(JAVA_LONG, (long) count * n);
      int rc = Downcall.invoke("polyhe_cuda_binary", () -> (int) CudaLibrary.BINARY.invokeExact(op, pack(arena, a, count, n), pack(arena, b, count, n), o,
          count, logN(n), values(arena, moduli, count)));
      CudaLibrary.check(rc, "pointwise operation " + op);
      unpack(o, out, count, n);
    }
  }

  @Override
  public void add(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    binary(ADD, a, b, out, moduli, count);
  }

  @Override
  public void sub(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    binary(SUB, a, b, out, moduli, count);
  }

  @Override
  public void multiply(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    binary(MUL, a, b, out, moduli, count);
  }

  @Override
  public void multiplyAccumulate(long[][] a, long[][] b, long[][] acc, Modulus[] moduli, int count) {
    binary(MUL_ACC, a, b, acc, moduli, count);
  }

  @Override
  public void negate(long[][] a, long[][] out, Modulus[] moduli, int count) {
    int n = length(a, count);
    length(out, count);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment o = arena.allocate(JAVA_LONG, (long) count * n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_negate", () -> (int) CudaLibrary.NEGATE.invokeExact(pack(arena, a, count, n), o, count, logN(n),
          values(arena, moduli, count))), "negate");
      unpack(o, out, count, n);
    }
  }

  private void scalar(int multiply, long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    int n = length(a, count);
    length(out, count);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment o = arena.allocate(JAVA_LONG, (long) count * n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_scalar", () -> (int) CudaLibrary.SCALAR.invokeExact(multiply, pack(arena, a, count, n),
          longs(arena, scalars, count), o, count, logN(n), values(arena, moduli, count))), "scalar operation");
      unpack(o, out, count, n);
    }
  }

  @Override
  public void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    scalar(1, a, scalars, out, moduli, count);
  }

  @Override
  public void addScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    scalar(0, a, scalars, out, moduli, count);
  }

  @Override
  public void permute(long[][] in, int[] permutation, long[][] out, int count) {
    int n = length(in, count);
    length(out, count);
    if (permutation.length != n) {
      throw new IllegalArgumentException("permutation of " + permutation.length + " entries for limbs of " + n);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment perm = arena.allocate(JAVA_INT, n);
      MemorySegment.copy(permutation, 0, perm, JAVA_INT, 0, n);
      MemorySegment o = arena.allocate(JAVA_LONG, (long) count * n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_permute", () -> (int) CudaLibrary.PERMUTE.invokeExact(pack(arena, in, count, n), perm, o, count, logN(n))),
          "permutation");
      unpack(o, out, count, n);
    }
  }

  @Override
  public void automorphismCoefficients(long[][] in, int galois, long[][] out, Modulus[] moduli, int count) {
    int n = length(in, count);
    length(out, count);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment o = arena.allocate(JAVA_LONG, (long) count * n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_automorphism", () -> (int) CudaLibrary.AUTOMORPHISM.invokeExact(pack(arena, in, count, n), galois, o, count,
          logN(n), values(arena, moduli, count))), "automorphism");
      unpack(o, out, count, n);
    }
  }

  @Override
  public void subtractAndScale(long[][] a, long[][] last, long[] inverses, long[][] out, Modulus[] moduli,
      int count) {
    int n = length(a, count);
    length(last, count);
    length(out, count);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment o = arena.allocate(JAVA_LONG, (long) count * n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_subtract_and_scale", () -> (int) CudaLibrary.SUBTRACT_AND_SCALE.invokeExact(pack(arena, a, count, n),
          pack(arena, last, count, n), longs(arena, inverses, count), o, count, logN(n),
          values(arena, moduli, count))), "rescale step");
      unpack(o, out, count, n);
    }
  }

  @Override
  public void convertBasis(long[][] in, Modulus[] from, long[] hatInverse, long[] hatInverseShoup, int fromCount,
      long[][] hat, long[][] hatShoup, long[] dModTo, long[][] out, Modulus[] to, int toCount) {
    int n = length(in, fromCount);
    length(out, toCount);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment hats = arena.allocate(JAVA_LONG, (long) fromCount * toCount);
      for (int i = 0; i < fromCount; i++) {
        MemorySegment.copy(hat[i], 0, hats, JAVA_LONG, (long) i * toCount * Long.BYTES, toCount);
      }
      MemorySegment o = arena.allocate(JAVA_LONG, (long) toCount * n);
      CudaLibrary.check(Downcall.invoke("polyhe_cuda_convert_basis", () -> (int) CudaLibrary.CONVERT_BASIS.invokeExact(pack(arena, in, fromCount, n),
          values(arena, from, fromCount), longs(arena, hatInverse, fromCount), fromCount, hats,
          longs(arena, dModTo, toCount), o, values(arena, to, toCount), toCount, logN(n))), "base conversion");
      unpack(o, out, toCount, n);
    }
  }

  @Override
  public String toString() {
    return "CudaBackend(staging, " + CudaLibrary.device() + ")";
  }
}
