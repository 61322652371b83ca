package io.polyhe.he.math;

/**
 * A word-sized prime modulus {@code q < 2^61} with the constants for fast reduction.
 *
 * <p>Products of two residues are reduced with a one-word Barrett quotient estimate
 * ({@link #mul}); products by a fixed operand use Shoup's precomputed quotient ({@link #mulShoup}).
 * The bound {@code q < 2^61} keeps every lazy intermediate value ({@code < 4q}) below {@code 2^63},
 * so plain signed comparisons are correct throughout. Immutable and thread-safe.
 */
public final class Modulus {
  /** Largest supported bit length: lazy butterflies keep values below {@code 4q < 2^63}. */
  public static final int MAX_BITS = 61;
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
    return java.math.BigInteger.valueOf(hi)
        .shiftLeft(64)
        .add(new java.math.BigInteger(Long.toUnsignedString(lo)))
        .divide(java.math.BigInteger.valueOf(d))
        .longValue();
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

  /** {@code a * b mod q} for {@code a, b < q} (also correct for {@code a, b < 2q}). */
  public long mul(long a, long b) {
    long lo = a * b;
    long hi = Math.unsignedMultiplyHigh(a, b);
    return reduce128(hi, lo);
  }

  /**
   * Reduces the 128-bit value {@code hi * 2^64 + lo < 2^(2*bits+2)} modulo q. The quotient
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
