package io.polyhe.nativebackend.resident;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.ring.BaseConverter;
import io.polyhe.he.ring.RnsRing;

/**
 * The factors of a {@link BaseConverter} (see {@link ComputeBackend#convertBasis}), read off the
 * converter itself: it hands them to its ring's backend, so converting once on a backend that only
 * records its arguments yields exactly the constants every conversion uses, with no second
 * derivation to drift from he-core's. Immutable after capture.
 */
record ConverterConstants(Modulus[] from, long[] hatInverse, long[][] hat, long[] dModTo, Modulus[] to) {

  /** The constants of {@code converter} (one throwaway conversion of zero limbs). */
  static ConverterConstants of(BaseConverter converter) {
    Recorder recorder = new Recorder();
    RnsRing ring = new RnsRing(converter.from().logN(), recorder);
    int n = converter.from().n();
    converter.convert(ring, new long[converter.from().size()][n], new long[converter.to().size()][n]);
    return recorder.captured;
  }

  /** The constants for the target primes {@code [start, start + count)} only. */
  ConverterConstants targets(int start, int count) {
    long[][] h = new long[hat.length][];
    for (int i = 0; i < hat.length; i++) {
      h[i] = java.util.Arrays.copyOfRange(hat[i], start, start + count);
    }
    return new ConverterConstants(from, hatInverse, h, java.util.Arrays.copyOfRange(dModTo, start, start + count),
        java.util.Arrays.copyOfRange(to, start, start + count));
  }

  /** A backend that records the arguments of {@code convertBasis} and refuses everything else. */
  private static final class Recorder implements ComputeBackend {
    ConverterConstants captured;

    @Override
    public void convertBasis(long[][] in, Modulus[] from, long[] hatInverse, long[] hatInverseShoup, int fromCount,
        long[][] hat, long[][] hatShoup, long[] dModTo, long[][] out, Modulus[] to, int toCount) {
      long[][] h = new long[fromCount][];
      for (int i = 0; i < fromCount; i++) {
        h[i] = java.util.Arrays.copyOf(hat[i], toCount);
      }
      captured = new ConverterConstants(java.util.Arrays.copyOf(from, fromCount),
          java.util.Arrays.copyOf(hatInverse, fromCount), h, java.util.Arrays.copyOf(dModTo, toCount),
          java.util.Arrays.copyOf(to, toCount));
    }

    @Override
    public String name() {
      return "recorder";
    }

    @Override
    public int threads() {
      return 1;
    }

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException("the constant recorder only records base conversions");
    }

    @Override
    public void forwardNtt(long[][] limbs, NttTables[] tables, int count) {
      throw refused();
    }

    @Override
    public void inverseNtt(long[][] limbs, NttTables[] tables, int count) {
      throw refused();
    }

    @Override
    public void add(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void sub(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void negate(long[][] a, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void multiply(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void multiplyAccumulate(long[][] a, long[][] b, long[][] acc, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void addScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void permute(long[][] in, int[] permutation, long[][] out, int count) {
      throw refused();
    }

    @Override
    public void automorphismCoefficients(long[][] in, int galois, long[][] out, Modulus[] moduli, int count) {
      throw refused();
    }

    @Override
    public void subtractAndScale(long[][] a, long[][] last, long[] inverses, long[][] out, Modulus[] moduli,
        int count) {
      throw refused();
    }
  }
}
