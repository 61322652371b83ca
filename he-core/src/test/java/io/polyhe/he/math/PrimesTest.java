package io.polyhe.he.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrimesTest {

  @Test
  void millerRabinAgreesWithBigInteger() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    for (int i = 0; i < 3000; i++) {
      long n = r.nextLong(1L << 61) | 1;
      assertEquals(BigInteger.valueOf(n).isProbablePrime(60), Primes.isPrime(n), "n=" + n);
    }
    assertTrue(Primes.isPrime(2));
    assertFalse(Primes.isPrime(1));
    assertFalse(Primes.isPrime(3215031751L)); // strong pseudoprime to bases 2,3,5,7
    assertTrue(Primes.isPrime(1152921504606846883L)); // 2^60 - 93
  }

  @Test
  void nttPrimesAreDeterministicDistinctAndNttFriendly() {
    int[] bits = {60, 40, 40, 40, 49, 49};
    List<Long> a = Primes.nttPrimes(14, bits, Set.of());
    List<Long> b = Primes.nttPrimes(14, bits, Set.of());
    assertEquals(a, b);
    assertEquals(bits.length, Set.copyOf(a).size());
    for (int i = 0; i < bits.length; i++) {
      long q = a.get(i);
      assertTrue(Primes.isPrime(q));
      assertEquals(1, q % (1L << 15));
      assertEquals(bits[i], 64 - Long.numberOfLeadingZeros(q));
    }
    // The largest such prime below 2^40 comes first.
    assertTrue(a.get(1) > a.get(2));
    assertNotEquals(a, Primes.nttPrimes(13, bits, Set.of()));
  }

  @Test
  void rejectsImpossibleRequests() {
    assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(14, new int[] {61}, Set.of()));
    assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(16, new int[] {17}, Set.of()));
  }
}
