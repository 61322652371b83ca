package io.polyhe.he.backend;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The pure-Java backend: always available, the reference every other backend must match bit for
 * bit. Work is spread over limbs on a private {@link ForkJoinPool} when {@code threads > 1} and the
 * batch is large enough to pay for the hand-off. Thread-safe.
 */
public final class JavaBackend implements ComputeBackend {
  /** Below this many residues per call, running on the caller's thread is faster. */
  private static final int PARALLEL_THRESHOLD = 1 << 14;

  private final int threads;
  private final ForkJoinPool pool;

  /** A Java backend using {@code threads} worker threads (1 = run on the caller's thread). */
  public JavaBackend(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads, daemonFactory(), null, false) : null;
  }

  private static ForkJoinPool.ForkJoinWorkerThreadFactory daemonFactory() {
    return p -> {
      var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      t.setDaemon(true);
      t.setName("polyhe-java-" + t.getPoolIndex());
      return t;
    };
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  public int threads() {
    return threads;
  }

  private void forEachLimb(int count, int limbLength, IntConsumer body) {
    if (pool == null || count < 2 || (long) count * limbLength < PARALLEL_THRESHOLD) {
      for (int i = 0; i < count; i++) {
        body.accept(i);
      }
      return;
    }
    pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
  }

  private static int length(long[][] limbs, int count) {
    return count == 0 ? 0 : limbs[0].length;
  }

  @Override
  public void forwardNtt(long[][] limbs, NttTables[] tables, int count) {
    forEachLimb(count, length(limbs, count), i -> JavaKernels.forwardNtt(limbs[i], tables[i]));
  }

  @Override
  public void inverseNtt(long[][] limbs, NttTables[] tables, int count) {
    forEachLimb(count, length(limbs, count), i -> JavaKernels.inverseNtt(limbs[i], tables[i]));
  }

  @Override
  public void add(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(count, length(a, count), i -> JavaKernels.add(a[i], b[i], out[i], moduli[i].value()));
  }

  @Override
  public void sub(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(count, length(a, count), i -> JavaKernels.sub(a[i], b[i], out[i], moduli[i].value()));
  }

  @Override
  public void negate(long[][] a, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(count, length(a, count), i -> JavaKernels.negate(a[i], out[i], moduli[i].value()));
  }

  @Override
  public void multiply(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(count, length(a, count), i -> JavaKernels.multiply(a[i], b[i], out[i], moduli[i]));
  }

  @Override
  public void multiplyAccumulate(long[][] a, long[][] b, long[][] acc, Modulus[] moduli, int count) {
    forEachLimb(
        count, length(a, count), i -> JavaKernels.multiplyAccumulate(a[i], b[i], acc[i], moduli[i]));
  }

  @Override
  public void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(
        count, length(a, count), i -> JavaKernels.multiplyScalar(a[i], scalars[i], out[i], moduli[i]));
  }

  @Override
  public void addScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(
        count,
        length(a, count),
        i -> JavaKernels.addScalar(a[i], scalars[i], out[i], moduli[i].value()));
  }

  @Override
  public void permute(long[][] in, int[] permutation, long[][] out, int count) {
    forEachLimb(count, length(in, count), i -> JavaKernels.permute(in[i], permutation, out[i]));
  }

  @Override
  public void automorphismCoefficients(
      long[][] in, int galois, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(
        count,
        length(in, count),
        i -> JavaKernels.automorphismCoefficients(in[i], galois, out[i], moduli[i].value()));
  }

  @Override
  public void subtractAndScale(
      long[][] a, long[][] last, long[] inverses, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(
        count,
        length(a, count),
        i -> JavaKernels.subtractAndScale(a[i], last[i], inverses[i], out[i], moduli[i]));
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
    int n = length(in, fromCount);
    long[][] v = new long[fromCount][n];
    forEachLimb(
        fromCount,
        n,
        i -> JavaKernels.multiplyShoup(in[i], hatInverse[i], hatInverseShoup[i], v[i], from[i].value()));
    byte[] negatives = new byte[n];
    JavaKernels.countUpperHalf(v, from, fromCount, negatives);
    forEachLimb(
        toCount,
        n * Math.max(1, fromCount),
        k -> {
          long[] hk = new long[fromCount];
          long[] hks = new long[fromCount];
          for (int i = 0; i < fromCount; i++) {
            hk[i] = hat[i][k];
            hks[i] = hatShoup[i][k];
          }
          JavaKernels.convertLimb(v, fromCount, hk, hks, negatives, dModTo[k], out[k], to[k].value());
        });
  }

  @Override
  public String toString() {
    return "JavaBackend(threads=" + threads + ")";
  }
}
