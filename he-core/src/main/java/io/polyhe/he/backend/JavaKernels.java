package io.polyhe.he.backend;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;

/**
 * Single-limb kernels of the Java backend. Values stay below {@code 4q < 2^63} inside the NTTs
 * (Harvey's lazy butterflies), so signed comparisons are exact; every kernel ends in {@code [0,q)}.
 * Stateless and thread-safe.
 */
final class JavaKernels {
  private JavaKernels() {}

  /**
   * Cooley–Tukey forward negacyclic NTT, natural order in, bit-reversed order out. Lazy
   * butterflies keep values in {@code [0, 4q)}; the last stage reduces fully, saving a pass.
   */
  static void forwardNtt(long[] a, NttTables tables) {
    final long q = tables.modulus().value();
    final long twoQ = 2 * q;
    final long[] w = tables.rootPowers();
    final long[] ws = tables.rootPowersShoup();
    final int n = tables.n();
    int t = n;
    for (int m = 1; m < n >>> 1; m <<= 1) {
      t >>>= 1;
      for (int i = 0; i < m; i++) {
        final int j1 = 2 * i * t;
        final int j2 = j1 + t;
        final long wi = w[m + i];
        final long wsi = ws[m + i];
        for (int j = j1; j < j2; j++) {
          long x = a[j];
          if (x >= twoQ) {
            x -= twoQ;
          }
          long y = a[j + t];
          long v = y * wi - Math.unsignedMultiplyHigh(y, wsi) * q;
          a[j] = x + v;
          a[j + t] = x - v + twoQ;
        }
      }
    }
    // Last stage (t = 1): butterflies on neighbours, outputs reduced to [0, q).
    final int half = n >>> 1;
    for (int i = 0; i < half; i++) {
      final int j = 2 * i;
      final long wi = w[half + i];
      long x = a[j];
      if (x >= twoQ) {
        x -= twoQ;
      }
      long y = a[j + 1];
      long v = y * wi - Math.unsignedMultiplyHigh(y, ws[half + i]) * q;
      long u0 = x + v;
      long u1 = x - v + twoQ;
      if (u0 >= twoQ) {
        u0 -= twoQ;
      }
      if (u0 >= q) {
        u0 -= q;
      }
      if (u1 >= twoQ) {
        u1 -= twoQ;
      }
      if (u1 >= q) {
        u1 -= q;
      }
      a[j] = u0;
      a[j + 1] = u1;
    }
  }

  /**
   * Gentleman–Sande inverse negacyclic NTT, bit-reversed order in, natural order out. The factor
   * {@code 1/N} is folded into the last stage (its twiddle carries it), saving a pass.
   */
  static void inverseNtt(long[] a, NttTables tables) {
    final long q = tables.modulus().value();
    final long twoQ = 2 * q;
    final long[] w = tables.invRootPowers();
    final long[] ws = tables.invRootPowersShoup();
    final int n = tables.n();
    int t = 1;
    for (int h = n >>> 1; h > 1; h >>>= 1) {
      int j1 = 0;
      for (int i = 0; i < h; i++) {
        final int j2 = j1 + t;
        final long wi = w[h + i];
        final long wsi = ws[h + i];
        for (int j = j1; j < j2; j++) {
          long x = a[j];
          long y = a[j + t];
          long s = x + y;
          if (s >= twoQ) {
            s -= twoQ;
          }
          long d = x - y + twoQ;
          a[j] = s;
          a[j + t] = d * wi - Math.unsignedMultiplyHigh(d, wsi) * q;
        }
        j1 += 2 * t;
      }
      t <<= 1;
    }
    // Last stage (h = 1, t = N/2) with 1/N folded in: s·N^-1 and d·(w·N^-1).
    final long nInv = tables.nInv();
    final long nInvShoup = tables.nInvShoup();
    final long wn = tables.lastInverseTwiddle();
    final long wnShoup = tables.lastInverseTwiddleShoup();
    final int half = n >>> 1;
    for (int j = 0; j < half; j++) {
      long x = a[j];
      long y = a[j + half];
      long s = x + y;
      if (s >= twoQ) {
        s -= twoQ;
      }
      long d = x - y + twoQ;
      long r0 = s * nInv - Math.unsignedMultiplyHigh(s, nInvShoup) * q;
      long r1 = d * wn - Math.unsignedMultiplyHigh(d, wnShoup) * q;
      a[j] = r0 >= q ? r0 - q : r0;
      a[j + half] = r1 >= q ? r1 - q : r1;
    }
  }

  static void add(long[] a, long[] b, long[] out, long q) {
    for (int j = 0; j < out.length; j++) {
      long s = a[j] + b[j];
      out[j] = s >= q ? s - q : s;
    }
  }

  static void sub(long[] a, long[] b, long[] out, long q) {
    for (int j = 0; j < out.length; j++) {
      long d = a[j] - b[j];
      out[j] = d < 0 ? d + q : d;
    }
  }

  static void negate(long[] a, long[] out, long q) {
    for (int j = 0; j < out.length; j++) {
      long x = a[j];
      out[j] = x == 0 ? 0 : q - x;
    }
  }

  static void multiply(long[] a, long[] b, long[] out, Modulus m) {
    for (int j = 0; j < out.length; j++) {
      out[j] = m.mul(a[j], b[j]);
    }
  }

  static void multiplyAccumulate(long[] a, long[] b, long[] acc, Modulus m) {
    final long q = m.value();
    for (int j = 0; j < acc.length; j++) {
      long s = acc[j] + m.mul(a[j], b[j]);
      acc[j] = s >= q ? s - q : s;
    }
  }

  static void multiplyScalar(long[] a, long scalar, long[] out, Modulus m) {
    final long q = m.value();
    final long shoup = m.shoup(scalar);
    for (int j = 0; j < out.length; j++) {
      long x = a[j];
      long r = x * scalar - Math.unsignedMultiplyHigh(x, shoup) * q;
      out[j] = r >= q ? r - q : r;
    }
  }

  static void multiplyScalarAccumulate(long[] a, long scalar, long[] acc, Modulus m) {
    final long q = m.value();
    final long shoup = m.shoup(scalar);
    for (int j = 0; j < acc.length; j++) {
      long x = a[j];
      long r = x * scalar - Math.unsignedMultiplyHigh(x, shoup) * q; // [0, 2q)
      long s = acc[j] + r;                                            // [0, 3q)
      s = s >= q ? s - q : s;
      acc[j] = s >= q ? s - q : s;
    }
  }

  static void addScalar(long[] a, long scalar, long[] out, long q) {
    for (int j = 0; j < out.length; j++) {
      long s = a[j] + scalar;
      out[j] = s >= q ? s - q : s;
    }
  }

  static void permute(long[] in, int[] permutation, long[] out) {
    for (int j = 0; j < out.length; j++) {
      out[j] = in[permutation[j]];
    }
  }

  static void automorphismCoefficients(long[] in, int galois, long[] out, long q) {
    final int n = in.length;
    final int mask = 2 * n - 1;
    for (int i = 0; i < n; i++) {
      int k = (int) (((long) i * galois) & mask);
      long x = in[i];
      if (k < n) {
        out[k] = x;
      } else {
        out[k - n] = x == 0 ? 0 : q - x;
      }
    }
  }

  static void subtractAndScale(long[] a, long[] last, long inverse, long[] out, Modulus m) {
    final long q = m.value();
    final long shoup = m.shoup(inverse);
    for (int j = 0; j < out.length; j++) {
      long d = a[j] - last[j];
      if (d < 0) {
        d += q;
      }
      long r = d * inverse - Math.unsignedMultiplyHigh(d, shoup) * q;
      out[j] = r >= q ? r - q : r;
    }
  }

  /** Smallest prime size of {@link #multiplySum}: its reductions need values below 2^(2·bits) ≥ 2^64. */
  static final int LAZY_SUM_MIN_BITS = 33;
  /** Most terms of {@link #multiplySum}: 64 products below 2^120 each stay below 2^126. */
  static final int LAZY_SUM_MAX_TERMS = 64;

  /**
   * {@code out[j] = Σ_t a[t][j]·b[t][j] mod q}: the products are summed exactly in 128 bits and the
   * sum reduced once, as {@code (hi mod q)·(2^64 mod q) + (lo mod q)}. Needs primes of at least
   * {@link #LAZY_SUM_MIN_BITS} bits and at most {@link #LAZY_SUM_MAX_TERMS} terms.
   */
  static void multiplySum(long[][] a, long[][] b, long[] out, Modulus m) {
    final long q = m.value();
    final long twoTo64 = Long.remainderUnsigned(Long.remainderUnsigned(-1L, q) + 1, q);
    final int terms = a.length;
    for (int j = 0; j < out.length; j++) {
      long hi = 0;
      long lo = 0;
      for (int t = 0; t < terms; t++) {
        long x = a[t][j];
        long y = b[t][j];
        long productLo = x * y;
        long sum = lo + productLo;
        hi += Math.unsignedMultiplyHigh(x, y) + (Long.compareUnsigned(sum, productLo) < 0 ? 1 : 0);
        lo = sum;
      }
      long r = m.mul(m.reduce128(0, hi), twoTo64) + m.reduce128(0, lo);
      out[j] = r >= q ? r - q : r;
    }
  }

  /** {@code out[j] = a[j]·b[j] mod q} with Shoup constants {@code bs} of b; {@code a[j] < q}. */
  static void multiplyShoup(long[] a, long[] b, long[] bs, long[] out, long q) {
    for (int j = 0; j < out.length; j++) {
      long x = a[j];
      long r = x * b[j] - Math.unsignedMultiplyHigh(x, bs[j]) * q;
      out[j] = r >= q ? r - q : r;
    }
  }

  /** {@code acc[j] = (acc[j] + a[j]·b[j]) mod q} with Shoup constants {@code bs} of b. */
  static void multiplyAccumulateShoup(long[] a, long[] b, long[] bs, long[] acc, long q) {
    for (int j = 0; j < acc.length; j++) {
      long x = a[j];
      long r = x * b[j] - Math.unsignedMultiplyHigh(x, bs[j]) * q;
      long s = acc[j] + (r >= q ? r - q : r);
      acc[j] = s >= q ? s - q : s;
    }
  }

  /** {@code out = a * w mod q} with Shoup's constant, a full limb. */
  static void multiplyShoup(long[] a, long w, long wShoup, long[] out, long q) {
    for (int j = 0; j < out.length; j++) {
      long x = a[j];
      long r = x * w - Math.unsignedMultiplyHigh(x, wShoup) * q;
      out[j] = r >= q ? r - q : r;
    }
  }

  /**
   * One output limb of a centred base conversion: {@code out = Σ_i v[i]·hat[i] - negatives·dMod
   * mod t}, with lazy sums kept below {@code 2t} between terms.
   */
  static void convertLimb(
      long[][] v, int fromCount, long[] hat, long[] hatShoup, byte[] negatives, long dMod,
      long[] out, long t) {
    final long twoT = 2 * t;
    final int n = out.length;
    java.util.Arrays.fill(out, 0L);
    for (int i = 0; i < fromCount; i++) {
      final long[] vi = v[i];
      final long h = hat[i];
      final long hs = hatShoup[i];
      for (int j = 0; j < n; j++) {
        long x = vi[j];
        long s = out[j] + (x * h - Math.unsignedMultiplyHigh(x, hs) * t);
        out[j] = s >= twoT ? s - twoT : s;
      }
    }
    final long dModShoup = dMod == 0 ? 0 : shoup(dMod, t);
    for (int j = 0; j < n; j++) {
      long s = out[j];
      if (s >= t) {
        s -= t;
      }
      long c = negatives[j];
      long sub = c * dMod - Math.unsignedMultiplyHigh(c, dModShoup) * t;
      if (sub >= t) {
        sub -= t;
      }
      s -= sub;
      out[j] = s < 0 ? s + t : s;
    }
  }

  /** {@code floor(w·2^64 / q)} for {@code w < q}. */
  static long shoup(long w, long q) {
    return Modulus.divide128(w, 0, q);
  }

  /** Counts, per coefficient, the limbs whose residue lies in the upper half {@code > (q-1)/2}. */
  static void countUpperHalf(long[][] v, Modulus[] from, int fromCount, byte[] negatives) {
    java.util.Arrays.fill(negatives, (byte) 0);
    for (int i = 0; i < fromCount; i++) {
      final long half = (from[i].value() - 1) >>> 1;
      final long[] vi = v[i];
      for (int j = 0; j < negatives.length; j++) {
        if (vi[j] > half) {
          negatives[j]++;
        }
      }
    }
  }
}
