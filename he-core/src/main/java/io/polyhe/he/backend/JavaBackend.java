package io.polyhe.he.backend;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.util.function.IntConsumer;

/**
 * The pure-Java backend: always available, the reference every other backend must match bit for
 * bit. Work is spread over limbs by a {@link LimbExecutor}. Thread-safe.
 */
public final class JavaBackend implements ComputeBackend {
  private final LimbExecutor executor;

  /** A Java backend using {@code threads} worker threads (1 = run on the caller's thread). */
  public JavaBackend(int threads) {
    this.executor = new LimbExecutor(threads, "polyhe-java");
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  public int threads() {
    return executor.threads();
  }

  private void forEachLimb(int count, int limbLength, IntConsumer body) {
    executor.forEachLimb(count, (long) count * limbLength, body);
  }

  private static int length(long[][] limbs, int count) {
    return LimbExecutor.limbLength(limbs, count);
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

  /**
   * Products summed in 128 bits and reduced once per coefficient (three reductions instead of one
   * per term), for primes of at least {@value JavaKernels#LAZY_SUM_MIN_BITS} bits and at most
   * {@value JavaKernels#LAZY_SUM_MAX_TERMS} terms; otherwise term by term.
   */
  @Override
  public void multiplySum(long[][][] a, long[][][] b, long[][] out, Modulus[] moduli, int count) {
    if (a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException(a.length + " left terms for " + b.length + " right terms");
    }
    if (a.length < 3 || a.length > JavaKernels.LAZY_SUM_MAX_TERMS) {
      ComputeBackend.super.multiplySum(a, b, out, moduli, count);
      return;
    }
    forEachLimb(count, length(out, count), i -> {
      long[][] ai = new long[a.length][];
      long[][] bi = new long[a.length][];
      for (int t = 0; t < a.length; t++) {
        ai[t] = a[t][i];
        bi[t] = b[t][i];
      }
      if (moduli[i].bits() >= JavaKernels.LAZY_SUM_MIN_BITS) {
        JavaKernels.multiplySum(ai, bi, out[i], moduli[i]);
      } else {
        JavaKernels.multiply(ai[0], bi[0], out[i], moduli[i]);
        for (int t = 1; t < ai.length; t++) {
          JavaKernels.multiplyAccumulate(ai[t], bi[t], out[i], moduli[i]);
        }
      }
    });
  }

  @Override
  public void multiplyShoup(long[][] a, long[][] b, long[][] bShoup, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(count, length(a, count),
        i -> JavaKernels.multiplyShoup(a[i], b[i], bShoup[i], out[i], moduli[i].value()));
  }

  @Override
  public void multiplyAccumulateShoup(long[][] a, long[][] b, long[][] bShoup, long[][] acc, Modulus[] moduli,
      int count) {
    forEachLimb(count, length(a, count),
        i -> JavaKernels.multiplyAccumulateShoup(a[i], b[i], bShoup[i], acc[i], moduli[i].value()));
  }

  /** True: a Shoup product (one high multiply) is about a third cheaper than a Barrett one here. */
  @Override
  public boolean usesShoupOperands() {
    return true;
  }

  @Override
  public void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    forEachLimb(
        count, length(a, count), i -> JavaKernels.multiplyScalar(a[i], scalars[i], out[i], moduli[i]));
  }

  @Override
  public void multiplyScalarAccumulate(long[][] a, long[] scalars, long[][] acc, Modulus[] moduli, int count) {
    forEachLimb(count, length(a, count),
        i -> JavaKernels.multiplyScalarAccumulate(a[i], scalars[i], acc[i], moduli[i]));
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
    return "JavaBackend(threads=" + executor.threads() + ")";
  }
}
