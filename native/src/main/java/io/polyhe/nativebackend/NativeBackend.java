package io.polyhe.nativebackend;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.LimbExecutor;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * The native CPU backend: he-core's {@link ComputeBackend} on the C kernels of {@code
 * libpolyhe_native.so}, bit-identical to the Java backend.
 *
 * <p>Data path: the SPI hands over heap {@code long[]} limbs; each is wrapped with {@link
 * MemorySegment#ofArray(long[])} and passed to a critical downcall, so the C kernel works on the
 * Java array in place (no copy, no off-heap staging). Batches are one downcall per limb, spread
 * over limbs by the same {@link LimbExecutor} as the Java backend. Per-prime NTT plans (twiddles with their 64- and 52-bit Shoup
 * constants) live off-heap for the life of the process, one per (prime, ring degree). Base
 * conversion stages its scaled source limbs in a per-thread off-heap buffer, since the target
 * kernels read all of them at once.
 *
 * <p>Arguments are checked before any native call (array lengths, counts), so bad input throws
 * {@link IllegalArgumentException} or {@link ArrayIndexOutOfBoundsException} as in the Java
 * backend instead of touching foreign memory. Thread-safe.
 */
public final class NativeBackend implements ComputeBackend {
  /** The backend's name for {@code ComputeBackends.create}. */
  public static final String NAME = "native";

  private static final Map<NttTables, MemorySegment> PLANS_BY_TABLES = new ConcurrentHashMap<>();
  private static final Map<PlanKey, MemorySegment> PLANS = new ConcurrentHashMap<>();
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** NTT tables are a function of (prime, ring degree): one plan serves every equal table. */
  private record PlanKey(long q, int logN) {}

  private final LimbExecutor executor;

  /**
   * A native backend using {@code threads} worker threads (1 = the caller's thread).
   *
   * @throws IllegalStateException if the library is unavailable (use {@link
   *     NativeBackendProvider#create} to get an empty result instead)
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  public NativeBackend(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (!NativeLibrary.available()) {
      throw new IllegalStateException("native library unavailable: " + NativeLibrary.unavailableReason());
    }
    this.executor = new LimbExecutor(threads, "polyhe-native");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int threads() {
    return executor.threads();
  }

  private void forEachLimb(int count, long work, IntConsumer body) {
    executor.forEachLimb(count, work, body);
  }

  private static int length(long[][] limbs, int count) {
    return count == 0 ? 0 : limbs[0].length;
  }

  private static MemorySegment seg(long[] a) {
    return MemorySegment.ofArray(a);
  }

  /** Every limb {@code < count} of every array must exist and have length n. */
  private static void checkLimbs(int count, int n, long[][]... arrays) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count " + count);
    }
    for (long[][] a : arrays) {
      if (a.length < count) {
        throw new ArrayIndexOutOfBoundsException("limb " + a.length + " of " + count);
      }
      for (int i = 0; i < count; i++) {
        if (a[i].length != n) {
          throw new IllegalArgumentException(
              "limb " + i + " has " + a[i].length + " residues, expected " + n);
        }
      }
    }
  }

  private static void checkModuli(Modulus[] moduli, int count) {
    if (moduli.length < count) {
      throw new ArrayIndexOutOfBoundsException("modulus " + moduli.length + " of " + count);
    }
  }

  private static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalArgumentException(what + " rejected its arguments (code " + rc + ")");
    }
  }

  // ---- NTT ------------------------------------------------------------------------------------

  /** The native plan of these tables (created on first use, kept for the process). */
  static MemorySegment plan(NttTables t) {
    MemorySegment p = PLANS_BY_TABLES.get(t);
    if (p == null) {
      p = PLANS_BY_TABLES.computeIfAbsent(
          t, k -> PLANS.computeIfAbsent(new PlanKey(k.modulus().value(), k.logN()), key -> createPlan(k)));
    }
    return p;
  }

  private static MemorySegment createPlan(NttTables t) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_LONG, t.rootPowers());
      MemorySegment wi = arena.allocateFrom(ValueLayout.JAVA_LONG, t.invRootPowers());
      MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
      int rc = Downcall.invoke("polyhe_ntt_plan_create", () -> (int) NativeLibrary.PLAN_CREATE.invokeExact(
          t.modulus().value(), t.logN(), w, wi, t.nInv(), out));
      check(rc, "polyhe_ntt_plan_create");
      return out.get(ValueLayout.ADDRESS, 0);
    }
  }

  private static void nttLimb(long[] a, NttTables t, boolean forward) {
    if (a.length != t.n()) {
      throw new IllegalArgumentException("limb has " + a.length + " residues, tables " + t.n());
    }
    MemorySegment plan = plan(t);
    int rc = forward
        ? Downcall.invoke("polyhe_ntt_forward", () -> (int) NativeLibrary.NTT_FORWARD.invokeExact(plan, seg(a)))
        : Downcall.invoke("polyhe_ntt_inverse", () -> (int) NativeLibrary.NTT_INVERSE.invokeExact(plan, seg(a)));
    check(rc, "polyhe_ntt");
  }

  @Override
  public void forwardNtt(long[][] limbs, NttTables[] tables, int count) {
    int n = length(limbs, count);
    checkLimbs(count, n, limbs);
    forEachLimb(count, (long) count * n, i -> nttLimb(limbs[i], tables[i], true));
  }

  @Override
  public void inverseNtt(long[][] limbs, NttTables[] tables, int count) {
    int n = length(limbs, count);
    checkLimbs(count, n, limbs);
    forEachLimb(count, (long) count * n, i -> nttLimb(limbs[i], tables[i], false));
  }

  // ---- pointwise ------------------------------------------------------------------------------

  private static void binary(
      java.lang.invoke.MethodHandle h, long[] a, long[] b, long[] out, long q) {
    int rc = Downcall.invoke("pointwise kernel",
        () -> (int) h.invokeExact(seg(a), seg(b), seg(out), (long) out.length, q));
    check(rc, "pointwise kernel");
  }

  private void binaryAll(
      java.lang.invoke.MethodHandle h, long[][] a, long[][] b, long[][] out, Modulus[] moduli,
      int count) {
    int n = length(a, count);
    checkLimbs(count, n, a, b, out);
    checkModuli(moduli, count);
    forEachLimb(count, (long) count * n, i -> binary(h, a[i], b[i], out[i], moduli[i].value()));
  }

  @Override
  public void add(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    binaryAll(NativeLibrary.ADD, a, b, out, moduli, count);
  }

  @Override
  public void sub(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    binaryAll(NativeLibrary.SUB, a, b, out, moduli, count);
  }

  @Override
  public void multiply(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    binaryAll(NativeLibrary.MUL, a, b, out, moduli, count);
  }

  @Override
  public void multiplyAccumulate(long[][] a, long[][] b, long[][] acc, Modulus[] moduli, int count) {
    binaryAll(NativeLibrary.MUL_ACC, a, b, acc, moduli, count);
  }

  @Override
  public void negate(long[][] a, long[][] out, Modulus[] moduli, int count) {
    int n = length(a, count);
    checkLimbs(count, n, a, out);
    checkModuli(moduli, count);
    forEachLimb(count, (long) count * n, i -> {
      int rc = Downcall.invoke("polyhe_negate",
          () -> (int) NativeLibrary.NEGATE.invokeExact(seg(a[i]), seg(out[i]), (long) n, moduli[i].value()));
      check(rc, "polyhe_negate");
    });
  }

  private void scalarAll(
      java.lang.invoke.MethodHandle h, long[][] a, long[] scalars, long[][] out, Modulus[] moduli,
      int count) {
    int n = length(a, count);
    checkLimbs(count, n, a, out);
    checkModuli(moduli, count);
    if (scalars.length < count) {
      throw new ArrayIndexOutOfBoundsException("scalar " + scalars.length + " of " + count);
    }
    forEachLimb(count, (long) count * n, i -> {
      int rc = Downcall.invoke("scalar kernel",
          () -> (int) h.invokeExact(seg(a[i]), scalars[i], seg(out[i]), (long) n, moduli[i].value()));
      check(rc, "scalar kernel (scalars must be reduced)");
    });
  }

  @Override
  public void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    scalarAll(NativeLibrary.MUL_SCALAR, a, scalars, out, moduli, count);
  }

  /** Fused {@code acc += a·s} per limb ({@code polyhe_mul_scalar_acc}): no temporary limbs. */
  @Override
  public void multiplyScalarAccumulate(long[][] a, long[] scalars, long[][] acc, Modulus[] moduli, int count) {
    scalarAll(NativeLibrary.MUL_SCALAR_ACC, a, scalars, acc, moduli, count);
  }

  @Override
  public void addScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    scalarAll(NativeLibrary.ADD_SCALAR, a, scalars, out, moduli, count);
  }

  // ---- dot products ----------------------------------------------------------------------------

  @Override
  public void multiplySum(long[][][] a, long[][][] b, long[][] out, Modulus[] moduli, int count) {
    multiplySumPermuted(a, null, b, out, moduli, count);
  }

  /** True: {@code polyhe_mul_sum4} gathers the terms through the permutation. */
  @Override
  public boolean readsPermutedTerms() {
    return true;
  }

  /**
   * Up to four terms per pass of {@code polyhe_mul_sum4} (summed in 128 bits, reduced once), the
   * next four accumulated onto the result: one pass over memory instead of a product and a
   * multiply-add per term, and no permuted copies.
   */
  @Override
  public void multiplySumPermuted(long[][][] a, int[] permutation, long[][][] b, long[][] out, Modulus[] moduli,
      int count) {
    if (a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException(a.length + " left terms for " + b.length + " right terms");
    }
    int n = length(out, count);
    checkLimbs(count, n, out);
    for (int t = 0; t < a.length; t++) {
      checkLimbs(count, n, a[t], b[t]);
    }
    checkModuli(moduli, count);
    if (permutation != null && count > 0 && permutation.length != n) {
      throw new IllegalArgumentException("permutation of " + permutation.length + " for limbs of " + n);
    }
    MemorySegment perm = permutation == null ? MemorySegment.NULL : MemorySegment.ofArray(permutation);
    int terms = a.length;
    forEachLimb(count, (long) count * n * terms, i -> {
      for (int t0 = 0; t0 < terms; t0 += 4) {
        int k = Math.min(4, terms - t0);
        MemorySegment[] as = new MemorySegment[4];
        MemorySegment[] bs = new MemorySegment[4];
        for (int t = 0; t < 4; t++) {
          as[t] = t < k ? seg(a[t0 + t][i]) : MemorySegment.NULL;
          bs[t] = t < k ? seg(b[t0 + t][i]) : MemorySegment.NULL;
        }
        int accumulate = t0 == 0 ? 0 : 1;
        int rc = Downcall.invoke("polyhe_mul_sum4", () -> (int) NativeLibrary.MUL_SUM4.invokeExact(
            as[0], bs[0], as[1], bs[1], as[2], bs[2], as[3], bs[3], k, perm, seg(out[i]), (long) n,
            moduli[i].value(), accumulate));
        if (rc != 0) {
          throw new IllegalArgumentException("polyhe_mul_sum4 rejected its arguments (code " + rc
              + "; a permutation index out of [0, " + n + ")?)");
        }
      }
    });
  }

  // ---- automorphisms --------------------------------------------------------------------------

  @Override
  public void permute(long[][] in, int[] permutation, long[][] out, int count) {
    int n = length(in, count);
    checkLimbs(count, n, in, out);
    if (count > 0 && permutation.length != n) {
      throw new IllegalArgumentException("permutation of " + permutation.length + " for limbs of " + n);
    }
    MemorySegment perm = MemorySegment.ofArray(permutation);
    forEachLimb(count, (long) count * n, i -> {
      int rc = Downcall.invoke("polyhe_permute",
          () -> (int) NativeLibrary.PERMUTE.invokeExact(seg(in[i]), perm, seg(out[i]), (long) n));
      if (rc != 0) {
        throw new ArrayIndexOutOfBoundsException("permutation index out of [0, " + n + ")");
      }
    });
  }

  @Override
  public void automorphismCoefficients(
      long[][] in, int galois, long[][] out, Modulus[] moduli, int count) {
    int n = length(in, count);
    checkLimbs(count, n, in, out);
    checkModuli(moduli, count);
    forEachLimb(count, (long) count * n, i -> {
      int rc = Downcall.invoke("polyhe_automorphism_coeff", () -> (int) NativeLibrary.AUTOMORPHISM_COEFF.invokeExact(
          seg(in[i]), galois, seg(out[i]), (long) n, moduli[i].value()));
      check(rc, "polyhe_automorphism_coeff (galois must be odd and below 2N)");
    });
  }

  // ---- rescale ---------------------------------------------------------------------------------

  @Override
  public void subtractAndScale(
      long[][] a, long[][] last, long[] inverses, long[][] out, Modulus[] moduli, int count) {
    int n = length(a, count);
    checkLimbs(count, n, a, last, out);
    checkModuli(moduli, count);
    if (inverses.length < count) {
      throw new ArrayIndexOutOfBoundsException("inverse " + inverses.length + " of " + count);
    }
    forEachLimb(count, (long) count * n, i -> {
      int rc = Downcall.invoke("polyhe_subtract_and_scale", () -> (int) NativeLibrary.SUBTRACT_AND_SCALE.invokeExact(
          seg(a[i]), seg(last[i]), inverses[i], seg(out[i]), (long) n, moduli[i].value()));
      check(rc, "polyhe_subtract_and_scale");
    });
  }

  // ---- base conversion -------------------------------------------------------------------------

  /**
   * Per-thread off-heap staging of base conversion: the scaled sources {@code v} (one limb after
   * another), the count of negative {@code v_i} per coefficient, and the factor columns.
   */
  private static final class Scratch {
    private MemorySegment v = MemorySegment.NULL;
    private MemorySegment neg = MemorySegment.NULL;
    private MemorySegment fromQ = MemorySegment.NULL;

    void ensure(int fromCount, int n) {
      long vBytes = (long) fromCount * n * Long.BYTES;
      if (v.byteSize() < vBytes) {
        v = Arena.ofAuto().allocate(vBytes, 64);
      }
      if (neg.byteSize() < n) {
        neg = Arena.ofAuto().allocate(n, 64);
      }
      if (fromQ.byteSize() < (long) fromCount * Long.BYTES) {
        fromQ = Arena.ofAuto().allocate(256L * Long.BYTES, 64);
      }
    }
  }

  @Override
  public void convertBasis(
      long[][] in,
      Modulus[] from,
      long[] hatInverse,
      long[] hatInverseShoup,
      int fromCount,
      long[][] hat,
      long[][] hatShoup,
      long[] dModTo,
      long[][] out,
      Modulus[] to,
      int toCount) {
    if (fromCount > 127) {
      throw new IllegalArgumentException("at most 127 source primes, got " + fromCount);
    }
    if (fromCount < 1) {
      throw new IllegalArgumentException("at least one source prime, got " + fromCount);
    }
    int n = in[0].length;
    checkLimbs(fromCount, n, in);
    checkLimbs(toCount, n, out);
    checkModuli(from, fromCount);
    checkModuli(to, toCount);
    if (hatInverse.length < fromCount || hat.length < fromCount || dModTo.length < toCount) {
      throw new ArrayIndexOutOfBoundsException("base conversion factors shorter than the bases");
    }
    Scratch s = SCRATCH.get();
    s.ensure(fromCount, n);
    final MemorySegment v = s.v;
    final MemorySegment neg = s.neg;
    final MemorySegment fromQ = s.fromQ;
    long stride = n;
    for (int i = 0; i < fromCount; i++) {
      fromQ.setAtIndex(ValueLayout.JAVA_LONG, i, from[i].value());
      final int ii = i;
      int rc = Downcall.invoke("polyhe_convert_scale", () -> (int) NativeLibrary.CONVERT_SCALE.invokeExact(
          seg(in[ii]), hatInverse[ii], from[ii].value(), v.asSlice((long) ii * n * Long.BYTES),
          neg, ii == 0 ? 1 : 0, (long) n));
      check(rc, "polyhe_convert_scale");
    }
    forEachLimb(toCount, (long) toCount * n * fromCount, k -> {
      long[] column = new long[fromCount];
      for (int i = 0; i < fromCount; i++) {
        column[i] = hat[i][k];
      }
      int rc = Downcall.invoke("polyhe_convert_limb", () -> (int) NativeLibrary.CONVERT_LIMB.invokeExact(
          v, stride, fromCount, fromQ, MemorySegment.ofArray(column), neg, dModTo[k],
          seg(out[k]), (long) n, to[k].value()));
      check(rc, "polyhe_convert_limb");
    });
  }

  @Override
  public String toString() {
    return "NativeBackend(threads=" + executor.threads() + ", path=" + NativePaths.active() + ")";
  }
}
