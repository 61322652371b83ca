package io.polyhe.he.math;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deterministic generation of NTT-friendly primes ({@code q ≡ 1 mod 2N}).
 *
 * <p>For each requested bit size, in order, the largest not-yet-used prime below {@code 2^bits}
 * with {@code q ≡ 1 mod 2N} is taken, so the same request yields the same chain on every machine.
 * Primes close to a power of two keep the scale drift of CKKS rescaling small.
 */
public final class Primes {
  private Primes() {}

  /** Deterministic Miller–Rabin for all 64-bit inputs (bases proven sufficient below 2^64). */
  public static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long p : new long[] {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}) {
      if (n % p == 0) {
        return n == p;
      }
    }
    long d = n - 1;
    int r = Long.numberOfTrailingZeros(d);
    d >>>= r;
    for (long a : new long[] {2, 325, 9375, 28178, 450775, 9780504, 1795265022}) {
      long x = powMod(a % n, d, n);
      if (x == 0 || x == 1 || x == n - 1) {
        continue;
      }
      boolean composite = true;
      for (int i = 1; i < r; i++) {
        x = mulMod(x, x, n);
        if (x == n - 1) {
          composite = false;
          break;
        }
      }
      if (composite) {
        return false;
      }
    }
    return true;
  }

  // a, b < n, so the high word of a·b is below n and the quotient fits 64 bits. Allocation-free:
  // a BigInteger version allocated ~600 KB per primality test, which let a parameters blob of
  // 510 primes make its reader churn ~300 MB (found by fuzzing HeFormat.readParameters).
  private static long mulMod(long a, long b, long n) {
    long hi = Math.unsignedMultiplyHigh(a, b);
    long lo = a * b;
    return lo - Modulus.divide128(hi, lo, n) * n;
  }

  private static long powMod(long b, long e, long n) {
    long result = 1;
    while (e != 0) {
      if ((e & 1) != 0) {
        result = mulMod(result, b, n);
      }
      b = mulMod(b, b, n);
      e >>>= 1;
    }
    return result;
  }

  /**
   * Returns one prime per entry of {@code bitSizes}, each {@code ≡ 1 mod 2^(logN+1)}, of exactly
   * that bit length, distinct from each other and from {@code exclude}.
   *
   * @throws IllegalArgumentException if a bit size is out of {@link Modulus} range or no such prime
   *     is left
   */
  public static List<Long> nttPrimes(int logN, int[] bitSizes, Set<Long> exclude) {
    long twoN = 1L << (logN + 1);
    Set<Long> used = new HashSet<>(exclude);
    List<Long> out = new ArrayList<>(bitSizes.length);
    for (int bits : bitSizes) {
      if (bits < Modulus.MIN_BITS || bits > Modulus.MAX_BITS) {
        throw new IllegalArgumentException(
            "prime bit size must be in [" + Modulus.MIN_BITS + ", " + Modulus.MAX_BITS
                + "], got " + bits);
      }
      if (bits <= logN + 1) {
        throw new IllegalArgumentException(
            "prime bit size " + bits + " too small for 2N = 2^" + (logN + 1));
      }
      long lowest = 1L << (bits - 1);
      // Largest candidate below 2^bits that is 1 mod 2N.
      long candidate = ((1L << bits) - 1) / twoN * twoN + 1;
      if (candidate >= (1L << bits)) {
        candidate -= twoN;
      }
      while (candidate > lowest && (used.contains(candidate) || !isPrime(candidate))) {
        candidate -= twoN;
      }
      if (candidate <= lowest) {
        throw new IllegalArgumentException(
            "no unused " + bits + "-bit prime ≡ 1 mod 2^" + (logN + 1) + " left");
      }
      used.add(candidate);
      out.add(candidate);
    }
    return out;
  }
}
