package io.polyhe.nativebackend;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.backend.LimbExecutor;
import io.polyhe.he.backend.LimbSpan;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.ring.RnsRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The resident API on the CPU: buffers in off-heap host memory, operations run by the native CPU
 * kernels ({@code libpolyhe_native.so}, the same ones {@link NativeBackend} binds), queued in order
 * on a host "stream" and run at the next synchronisation point (or once {@value #QUEUE_LIMIT} are
 * waiting) exactly as a GPU stream would run them later. It exists so that every machine runs the
 * whole resident code path — lifetimes, stream-ordered frees, edges, sticky failures — in the
 * default test suite; results are bit-identical to the Java backend.
 *
 * <p>Each queued operation runs its limbs in parallel on a {@link LimbExecutor}. A failing kernel
 * (a C return code) is kept and thrown by {@link #synchronize()}; the operations queued after it
 * are dropped, as on a CUDA stream after an error. Not for production passes yet: the native
 * backend through the SPI is as fast on the CPU, since host memory is already where it computes.
 */
public final class HostDevice extends PooledDevice {
  /** The device's name for {@code ResidentDevices.open}. */
  public static final String NAME = "native";
  static final int QUEUE_LIMIT = 64;

  private final LimbExecutor executor;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final Map<MemorySegment, Arena> arenas = new IdentityHashMap<>();
  private final Map<Integer, MemorySegment> permutations = new HashMap<>();
  private final RnsRing permutationRing;
  private RuntimeException failure;
  private MemorySegment scratch = MemorySegment.NULL;

  /**
   * A host device for limbs of {@code n} residues.
   *
   * @throws IllegalStateException if the native library is unavailable (with the reason)
   */
  public HostDevice(int n, int threads) {
    super(NAME, n);
    if (!NativeLibrary.available()) {
      throw new IllegalStateException("native library unavailable: " + NativeLibrary.unavailableReason());
    }
    this.executor = new LimbExecutor(threads, "polyhe-host-device");
    this.permutationRing = new RnsRing(Integer.numberOfTrailingZeros(n), new JavaBackend(1));
  }

  // ---- the stream ------------------------------------------------------------------------------

  private void enqueue(Runnable op) {
    queue.add(op);
    if (queue.size() >= QUEUE_LIMIT) {
      drain();
    }
  }

  /** Queues {@code op} as if it were a kernel (tests: a failure while the stream runs). */
  synchronized void enqueueForTests(Runnable op) {
    checkOpen();
    enqueue(op);
  }

  private void drain() {
    Runnable op;
    while ((op = queue.poll()) != null) {
      if (failure == null) {
        try {
          op.run();
        } catch (RuntimeException e) {
          failure = e;
        }
      }
    }
  }

  @Override
  void rawSynchronize() {
    drain();
    RuntimeException f = failure;
    failure = null;
    if (f != null) {
      throw new IllegalStateException("a queued operation on device " + name() + " failed: " + f.getMessage(), f);
    }
  }

  private static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalStateException(what + " failed with code " + rc);
    }
  }

  /** Runs {@code body} for each limb of a {@code count}-limb operation. */
  private void limbs(int count, java.util.function.IntConsumer body) {
    executor.forEachLimb(count, (long) count * n(), body);
  }

  private MemorySegment limb(MemorySegment base, int i) {
    long bytes = (long) n() * Long.BYTES;
    return base.asSlice(i * bytes, bytes);
  }

  // ---- memory ----------------------------------------------------------------------------------

  @Override
  MemorySegment rawAllocate(long bytes) {
    Arena arena = Arena.ofShared();
    MemorySegment s = arena.allocate(bytes, 64);
    arenas.put(s, arena);
    return s;
  }

  @Override
  void rawFree(MemorySegment memory) {
    Arena arena = arenas.remove(memory);
    if (arena != null) {
      arena.close();
    }
  }

  @Override
  void zero(MemorySegment memory, long bytes) {
    enqueue(() -> memory.asSlice(0, bytes).fill((byte) 0));
  }

  @Override
  void rawUpload(long[][] src, int srcFirst, int count, MemorySegment dst) {
    // Copied now: the caller may reuse its arrays as soon as upload returns (as cudaMemcpyAsync
    // from pageable memory allows).
    long[][] copy = new long[count][];
    for (int i = 0; i < count; i++) {
      copy[i] = src[srcFirst + i].clone();
    }
    enqueue(() -> {
      for (int i = 0; i < count; i++) {
        MemorySegment.copy(copy[i], 0, limb(dst, i), ValueLayout.JAVA_LONG, 0, n());
      }
    });
  }

  @Override
  void rawDownload(MemorySegment src, int count, long[][] dst) {
    rawSynchronize();
    for (int i = 0; i < count; i++) {
      MemorySegment.copy(limb(src, i), ValueLayout.JAVA_LONG, 0, dst[i], 0, n());
    }
  }

  @Override
  void closeDevice() {
    permutations.clear();
  }

  // ---- kernels ---------------------------------------------------------------------------------

  @Override
  public synchronized void copy(LimbSpan src, LimbSpan dst) {
    sameCount(src, dst);
    MemorySegment s = at(src);
    MemorySegment d = at(dst);
    enqueue(() -> d.copyFrom(s));
  }

  private void ntt(LimbSpan a, NttTables[] tables, boolean forward) {
    int count = a.count();
    checkTables(tables, count);
    MemorySegment base = at(a);
    MemorySegment[] plans = new MemorySegment[count];
    for (int i = 0; i < count; i++) {
      plans[i] = NativeBackend.plan(tables[i]);
    }
    MethodHandle h = forward ? NativeLibrary.NTT_FORWARD : NativeLibrary.NTT_INVERSE;
    enqueue(() -> limbs(count, i -> check(
        Downcall.invoke("polyhe_ntt", () -> (int) h.invokeExact(plans[i], limb(base, i))), "NTT")));
  }

  @Override
  public synchronized void forwardNtt(LimbSpan a, NttTables[] tables) {
    ntt(a, tables, true);
  }

  @Override
  public synchronized void inverseNtt(LimbSpan a, NttTables[] tables) {
    ntt(a, tables, false);
  }

  private void binary(MethodHandle h, String what, LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    int count = sameCount(a, b, out);
    checkModuli(moduli, count);
    long[] q = values(moduli, count);
    MemorySegment sa = at(a);
    MemorySegment sb = at(b);
    MemorySegment so = at(out);
    long n = n();
    enqueue(() -> limbs(count, i -> check(Downcall.invoke(what,
        () -> (int) h.invokeExact(limb(sa, i), limb(sb, i), limb(so, i), n, q[i])), what)));
  }

  @Override
  public synchronized void add(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    binary(NativeLibrary.ADD, "polyhe_add", a, b, out, moduli);
  }

  @Override
  public synchronized void sub(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    binary(NativeLibrary.SUB, "polyhe_sub", a, b, out, moduli);
  }

  @Override
  public synchronized void multiply(LimbSpan a, LimbSpan b, LimbSpan out, Modulus[] moduli) {
    binary(NativeLibrary.MUL, "polyhe_mul", a, b, out, moduli);
  }

  @Override
  public synchronized void multiplyAccumulate(LimbSpan a, LimbSpan b, LimbSpan acc, Modulus[] moduli) {
    binary(NativeLibrary.MUL_ACC, "polyhe_mul_acc", a, b, acc, moduli);
  }

  @Override
  public synchronized void negate(LimbSpan a, LimbSpan out, Modulus[] moduli) {
    int count = sameCount(a, out);
    checkModuli(moduli, count);
    long[] q = values(moduli, count);
    MemorySegment sa = at(a);
    MemorySegment so = at(out);
    long n = n();
    enqueue(() -> limbs(count, i -> check(Downcall.invoke("polyhe_negate",
        () -> (int) NativeLibrary.NEGATE.invokeExact(limb(sa, i), limb(so, i), n, q[i])), "polyhe_negate")));
  }

  private void scalar(MethodHandle h, String what, LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli) {
    int count = sameCount(a, out);
    checkScalars(scalars, moduli, count);
    long[] q = values(moduli, count);
    long[] s = java.util.Arrays.copyOf(scalars, count);
    MemorySegment sa = at(a);
    MemorySegment so = at(out);
    long n = n();
    enqueue(() -> limbs(count, i -> check(Downcall.invoke(what,
        () -> (int) h.invokeExact(limb(sa, i), s[i], limb(so, i), n, q[i])), what)));
  }

  @Override
  public synchronized void multiplyScalar(LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli) {
    scalar(NativeLibrary.MUL_SCALAR, "polyhe_mul_scalar", a, scalars, out, moduli);
  }

  @Override
  public synchronized void multiplyScalarAccumulate(LimbSpan a, long[] scalars, LimbSpan acc, Modulus[] moduli) {
    scalar(NativeLibrary.MUL_SCALAR_ACC, "polyhe_mul_scalar_acc", a, scalars, acc, moduli);
  }

  @Override
  public synchronized void addScalar(LimbSpan a, long[] scalars, LimbSpan out, Modulus[] moduli) {
    scalar(NativeLibrary.ADD_SCALAR, "polyhe_add_scalar", a, scalars, out, moduli);
  }

  @Override
  public synchronized void automorphismNtt(LimbSpan in, int galois, LimbSpan out) {
    int count = sameCount(in, out);
    checkGalois(galois);
    if (overlap(in, out)) {
      throw new IllegalArgumentException("automorphism output overlaps its input");
    }
    MemorySegment perm = permutations.computeIfAbsent(galois, g -> Arena.ofAuto()
        .allocateFrom(ValueLayout.JAVA_INT, permutationRing.nttPermutation(g)));
    MemorySegment si = at(in);
    MemorySegment so = at(out);
    long n = n();
    enqueue(() -> limbs(count, i -> check(Downcall.invoke("polyhe_permute",
        () -> (int) NativeLibrary.PERMUTE.invokeExact(limb(si, i), perm, limb(so, i), n)), "polyhe_permute")));
  }

  @Override
  public synchronized void subtractAndScale(LimbSpan a, LimbSpan last, long[] inverses, LimbSpan out,
      Modulus[] moduli) {
    int count = sameCount(a, last, out);
    checkScalars(inverses, moduli, count);
    long[] q = values(moduli, count);
    long[] inv = java.util.Arrays.copyOf(inverses, count);
    MemorySegment sa = at(a);
    MemorySegment sl = at(last);
    MemorySegment so = at(out);
    long n = n();
    enqueue(() -> limbs(count, i -> check(Downcall.invoke("polyhe_subtract_and_scale",
        () -> (int) NativeLibrary.SUBTRACT_AND_SCALE.invokeExact(limb(sa, i), limb(sl, i), inv[i], limb(so, i), n,
            q[i])), "polyhe_subtract_and_scale")));
  }

  @Override
  public synchronized void convertBasis(LimbSpan in, Modulus[] from, long[] hatInverse, long[][] hat, long[] dModTo,
      LimbSpan out, Modulus[] to) {
    int fromCount = in.count();
    int toCount = out.count();
    if (fromCount < 1 || fromCount > 127) {
      throw new IllegalArgumentException("1 to 127 source primes, got " + fromCount);
    }
    if (overlap(in, out)) {
      throw new IllegalArgumentException("base conversion output overlaps its input");
    }
    checkScalars(hatInverse, from, fromCount);
    checkModuli(to, toCount);
    if (hat.length < fromCount || dModTo.length < toCount) {
      throw new IllegalArgumentException("base conversion factors shorter than the bases");
    }
    long[] fq = values(from, fromCount);
    long[] tq = values(to, toCount);
    long[] hi = java.util.Arrays.copyOf(hatInverse, fromCount);
    long[] dm = java.util.Arrays.copyOf(dModTo, toCount);
    long[][] columns = new long[toCount][fromCount];
    for (int k = 0; k < toCount; k++) {
      for (int i = 0; i < fromCount; i++) {
        columns[k][i] = hat[i][k];
      }
    }
    MemorySegment si = at(in);
    MemorySegment so = at(out);
    long n = n();
    long vBytes = (long) fromCount * n * Long.BYTES;
    if (scratch.byteSize() < vBytes + n + fromCount * 8L) {
      // Conversions still queued keep the old scratch alive through the slices they captured.
      scratch = Arena.ofAuto().allocate(vBytes + n + 127 * 8L, 64);
    }
    MemorySegment v = scratch.asSlice(0, vBytes);
    MemorySegment neg = scratch.asSlice(vBytes, n);
    MemorySegment fromQ = scratch.asSlice(vBytes + n, fromCount * 8L);
    enqueue(() -> {
      MemorySegment.copy(fq, 0, fromQ, ValueLayout.JAVA_LONG, 0, fromCount);
      for (int i = 0; i < fromCount; i++) {
        final int ii = i;
        check(Downcall.invoke("polyhe_convert_scale", () -> (int) NativeLibrary.CONVERT_SCALE.invokeExact(
            limb(si, ii), hi[ii], fq[ii], limb(v, ii), neg, ii == 0 ? 1 : 0, n)), "polyhe_convert_scale");
      }
      limbs(toCount, k -> check(Downcall.invoke("polyhe_convert_limb", () -> (int) NativeLibrary.CONVERT_LIMB
          .invokeExact(v, n, fromCount, fromQ, MemorySegment.ofArray(columns[k]), neg, dm[k], limb(so, k), n, tq[k])),
          "polyhe_convert_limb"));
    });
  }

  @Override
  public synchronized void keySwitchInnerProduct(LimbSpan[] digits, LimbSpan[] keyB, LimbSpan[] keyA, LimbSpan out0,
      LimbSpan out1, Modulus[] moduli) {
    int terms = digits.length;
    if (terms == 0 || keyB.length != terms || keyA.length != terms) {
      throw new IllegalArgumentException(terms + " digits, " + keyB.length + " and " + keyA.length + " key parts");
    }
    int count = sameCount(out0, out1);
    checkModuli(moduli, count);
    if (overlap(out0, out1)) {
      throw new IllegalArgumentException("inner product outputs overlap");
    }
    MemorySegment[] d = new MemorySegment[terms];
    MemorySegment[] b = new MemorySegment[terms];
    MemorySegment[] a = new MemorySegment[terms];
    for (int j = 0; j < terms; j++) {
      sameCount(digits[j], keyB[j], keyA[j], out0);
      d[j] = at(digits[j]);
      b[j] = at(keyB[j]);
      a[j] = at(keyA[j]);
    }
    long[] q = values(moduli, count);
    MemorySegment o0 = at(out0);
    MemorySegment o1 = at(out1);
    long n = n();
    enqueue(() -> limbs(count, i -> {
      for (int j = 0; j < terms; j++) {
        MethodHandle h = j == 0 ? NativeLibrary.MUL : NativeLibrary.MUL_ACC;
        final int jj = j;
        check(Downcall.invoke("polyhe_mul", () -> (int) h.invokeExact(limb(d[jj], i), limb(b[jj], i), limb(o0, i), n,
            q[i])), "key-switching product");
        check(Downcall.invoke("polyhe_mul", () -> (int) h.invokeExact(limb(d[jj], i), limb(a[jj], i), limb(o1, i), n,
            q[i])), "key-switching product");
      }
    }));
  }

  @Override
  public String toString() {
    return "HostDevice(n=" + n() + ", threads=" + executor.threads() + ", path=" + NativePaths.active() + ")";
  }
}
