package io.polyhe.models.encrypted;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;

/**
 * A {@link ComputeBackend} that forwards every call to another one and measures the time spent in
 * forward and inverse NTTs, per calling thread, so a forward pass can report its NTT share (the
 * backend parallelises inside a call, so the caller's wall time is the right measure). Thread-safe.
 */
public final class NttTimingBackend implements ComputeBackend {
  private final ComputeBackend delegate;
  private final ThreadLocal<long[]> perThread = ThreadLocal.withInitial(() -> new long[2]);

  public NttTimingBackend(ComputeBackend delegate) {
    this.delegate = delegate;
  }

  /** The wrapped backend. */
  public ComputeBackend delegate() {
    return delegate;
  }

  /** NTT calls made by the current thread so far. */
  public long callsOnThisThread() {
    return perThread.get()[0];
  }

  /** Nanoseconds the current thread has spent in NTTs so far. */
  public long nanosOnThisThread() {
    return perThread.get()[1];
  }

  private void account(long start) {
    long[] t = perThread.get();
    t[0]++;
    t[1] += System.nanoTime() - start;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int threads() {
    return delegate.threads();
  }

  @Override
  public void forwardNtt(long[][] limbs, NttTables[] tables, int count) {
    long start = System.nanoTime();
    delegate.forwardNtt(limbs, tables, count);
    account(start);
  }

  @Override
  public void inverseNtt(long[][] limbs, NttTables[] tables, int count) {
    long start = System.nanoTime();
    delegate.inverseNtt(limbs, tables, count);
    account(start);
  }

  @Override
  public void add(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    delegate.add(a, b, out, moduli, count);
  }

  @Override
  public void sub(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    delegate.sub(a, b, out, moduli, count);
  }

  @Override
  public void negate(long[][] a, long[][] out, Modulus[] moduli, int count) {
    delegate.negate(a, out, moduli, count);
  }

  @Override
  public void multiply(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
    delegate.multiply(a, b, out, moduli, count);
  }

  @Override
  public void multiplyAccumulate(long[][] a, long[][] b, long[][] acc, Modulus[] moduli, int count) {
    delegate.multiplyAccumulate(a, b, acc, moduli, count);
  }

  @Override
  public void multiplySum(long[][][] a, long[][][] b, long[][] out, Modulus[] moduli, int count) {
    delegate.multiplySum(a, b, out, moduli, count);
  }

  @Override
  public boolean readsPermutedTerms() {
    return delegate.readsPermutedTerms();
  }

  @Override
  public void multiplySumPermuted(long[][][] a, int[] permutation, long[][][] b, long[][] out, Modulus[] moduli,
      int count) {
    delegate.multiplySumPermuted(a, permutation, b, out, moduli, count);
  }

  @Override
  public void multiplyShoup(long[][] a, long[][] b, long[][] bShoup, long[][] out, Modulus[] moduli, int count) {
    delegate.multiplyShoup(a, b, bShoup, out, moduli, count);
  }

  @Override
  public void multiplyAccumulateShoup(long[][] a, long[][] b, long[][] bShoup, long[][] acc, Modulus[] moduli,
      int count) {
    delegate.multiplyAccumulateShoup(a, b, bShoup, acc, moduli, count);
  }

  @Override
  public boolean usesShoupOperands() {
    return delegate.usesShoupOperands();
  }

  @Override
  public void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    delegate.multiplyScalar(a, scalars, out, moduli, count);
  }

  @Override
  public void multiplyScalarAccumulate(long[][] a, long[] scalars, long[][] acc, Modulus[] moduli, int count) {
    delegate.multiplyScalarAccumulate(a, scalars, acc, moduli, count);
  }

  @Override
  public void addScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
    delegate.addScalar(a, scalars, out, moduli, count);
  }

  @Override
  public void permute(long[][] in, int[] permutation, long[][] out, int count) {
    delegate.permute(in, permutation, out, count);
  }

  @Override
  public void automorphismCoefficients(long[][] in, int galois, long[][] out, Modulus[] moduli, int count) {
    delegate.automorphismCoefficients(in, galois, out, moduli, count);
  }

  @Override
  public void subtractAndScale(long[][] a, long[][] last, long[] inverses, long[][] out, Modulus[] moduli,
      int count) {
    delegate.subtractAndScale(a, last, inverses, out, moduli, count);
  }

  @Override
  public void convertBasis(long[][] in, Modulus[] from, long[] hatInverse, long[] hatInverseShoup, int fromCount,
      long[][] hat, long[][] hatShoup, long[] dModTo, long[][] out, Modulus[] to, int toCount) {
    delegate.convertBasis(in, from, hatInverse, hatInverseShoup, fromCount, hat, hatShoup, dModTo, out, to, toCount);
  }
}
