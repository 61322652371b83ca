package io.polyhe.he.math;

/**
 * A word-sized prime modulus {@code q < 2^60} with the constants for fast reduction.
 *
 * <p>Products of two residues are reduced with a one-word Barrett quotient estimate
 * ({@link #mul}); products by a fixed operand use Shoup's precomputed quotient ({@link #mulShoup}).
 * The bound {@code q < 2^60} keeps every lazy intermediate value ({@code < 4q}) below {@code 2^62},
 * so plain signed comparisons are correct throughout, and keeps the Barrett estimate of {@link
 * #reduce128} within one word. Immutable and thread-safe.
 */
public final class Modulus {
  /** Largest supported bit length (see the class documentation). */
  public static final int MAX_BITS = 60;
  /** Smallest supported bit length (the Barrett estimate needs {@code k >= 3}). */
  public static final int MIN_BITS = 17;

  private final long q;
  private final int bits;
  private final long twoQ;
  /** {@code floor(2^(64+bits-2) / q)}, always below 2^63. */
  private final long barrett;
  private final int shift;

  public Modulus(long q) {
    if (q <= 0) {
      throw new IllegalArgumentException("modulus must be positive, got " + q);
    }
    this.bits = 64 - Long.numberOfLeadingZeros(q);
    if (bits < MIN_BITS || bits > MAX_BITS) {
      throw new IllegalArgumentException(
          "modulus bit length must be in [" + MIN_BITS + ", " + MAX_BITS + "], got " + bits);
    }
    this.q = q;
    this.twoQ = 2 * q;
    this.shift = bits - 2;
    // 2^(64+shift) / q: long division of the two-word numerator by q.
    this.barrett = divideTwoWord(1L << shift, 0L, q);
  }

  /** Returns {@code floor((hi * 2^64 + lo) / d)} as an unsigned 64-bit word (must fit in 64 bits). */
  private static long divideTwoWord(long hi, long lo, long d) {
    return divide128(hi, lo, d);
  }

  /**
   * Unsigned {@code floor((hi·2^64 + lo) / d)} for {@code hi < d} (so the quotient fits in 64
   * bits), by normalised long division in 32-bit digits (Knuth's algorithm D as in Hacker's
   * Delight {@code divlu}). Allocation-free: kernels call it for per-call Shoup constants.
   */
  public static long divide128(long hi, long lo, long d) {
    if (Long.compareUnsigned(hi, d) >= 0) {
      throw new ArithmeticException("quotient overflows 64 bits");
    }
    final long b = 1L << 32;
    int s = Long.numberOfLeadingZeros(d);
    d <<= s;
    long vn1 = d >>> 32;
    long vn0 = d & 0xffffffffL;
    long un32 = s == 0 ? hi : (hi << s) | (lo >>> (64 - s));
    long un10 = lo << s;
    long un1 = un10 >>> 32;
    long un0 = un10 & 0xffffffffL;
    long q1 = Long.divideUnsigned(un32, vn1);
    long rhat = un32 - q1 * vn1;
    while (Long.compareUnsigned(q1, b) >= 0
        || Long.compareUnsigned(q1 * vn0, b * rhat + un1) > 0) {
      q1--;
      rhat += vn1;
      if (Long.compareUnsigned(rhat, b) >= 0) {
        break;
      }
    }
    long un21 = un32 * b + un1 - q1 * d;
    long q0 = Long.divideUnsigned(un21, vn1);
    rhat = un21 - q0 * vn1;
    while (Long.compareUnsigned(q0, b) >= 0
        || Long.compareUnsigned(q0 * vn0, b * rhat + un0) > 0) {
      q0--;
      rhat += vn1;
      if (Long.compareUnsigned(rhat, b) >= 0) {
        break;
      }
    }
    return q1 * b + q0;
  }

  public long value() {
    return q;
  }

  public int bits() {
    return bits;
  }

  /** {@code a + b mod q} for {@code a, b < q}. */
  public long add(long a, long b) {
    long s = a + b;
    return s >= q ? s - q : s;
  }

  /** {@code a - b mod q} for {@code a, b < q}. */
  public long sub(long a, long b) {
    long d = a - b;
    return d < 0 ? d + q : d;
  }

  /** {@code -a mod q} for {@code a < q}. */
  public long negate(long a) {
    return a == 0 ? 0 : q - a;
  }

  /** {@code a * b mod q} for {@code a, b < q}. */
  public long mul(long a, long b) {
    long lo = a * b;
    long hi = Math.unsignedMultiplyHigh(a, b);
    return reduce128(hi, lo);
  }

  /**
   * Reduces the 128-bit value {@code hi * 2^64 + lo < 2^(2*bits)} (any product of two residues, or
   * any single word) modulo q. The quotient
   * estimate undershoots by at most 3, so three conditional subtractions finish the job.
   */
  public long reduce128(long hi, long lo) {
    long x1 = (lo >>> shift) | (hi << (64 - shift));
    long quot = Math.unsignedMultiplyHigh(x1, barrett);
    long r = lo - quot * q;
    if (r >= twoQ) {
      r -= twoQ;
    }
    if (r >= q) {
      r -= q;
    }
    if (r >= q) {
      r -= q;
    }
    return r;
  }

  /** Reduces any unsigned 64-bit word (read as unsigned) modulo q. */
  public long reduceUnsigned(long x) {
    return reduce128(0, x);
  }

  /** Reduces a signed 64-bit integer modulo q into {@code [0, q)}. */
  public long reduceSigned(long x) {
    // -Long.MIN_VALUE wraps to 2^63, which reduceUnsigned reads correctly as unsigned.
    return x >= 0 ? reduce128(0, x) : negate(reduce128(0, -x));
  }

  /** Shoup's constant {@code floor(w * 2^64 / q)} of a fixed operand {@code w < q}. */
  public long shoup(long w) {
    return divideTwoWord(w, 0L, q);
  }

  /** {@code a * w mod q} with {@code wShoup = shoup(w)}; {@code a} may be any value below 2^63. */
  public long mulShoup(long a, long w, long wShoup) {
    long quot = Math.unsignedMultiplyHigh(a, wShoup);
    long r = a * w - quot * q;
    return r >= q ? r - q : r;
  }

  /** {@code a * w mod q} in {@code [0, 2q)} (lazy); {@code a} may be any value below 2^63. */
  public long mulShoupLazy(long a, long w, long wShoup) {
    long quot = Math.unsignedMultiplyHigh(a, wShoup);
    return a * w - quot * q;
  }

  /** {@code base^exp mod q} for {@code exp >= 0}. */
  public long pow(long base, long exp) {
    if (exp < 0) {
      throw new IllegalArgumentException("negative exponent " + exp);
    }
    long result = 1 % q;
    long b = reduceUnsigned(base);
    long e = exp;
    while (e != 0) {
      if ((e & 1) != 0) {
        result = mul(result, b);
      }
      b = mul(b, b);
      e >>>= 1;
    }
    return result;
  }

  /** Multiplicative inverse of {@code a mod q}; throws if {@code a ≡ 0}. */
  public long inverse(long a) {
    long r = reduceUnsigned(a);
    if (r == 0) {
      throw new ArithmeticException("0 has no inverse modulo " + q);
    }
    return pow(r, q - 2);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Modulus m && m.q == q;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(q);
  }

  @Override
  public String toString() {
    return "Modulus(" + q + ", " + bits + " bits)";
  }
}
