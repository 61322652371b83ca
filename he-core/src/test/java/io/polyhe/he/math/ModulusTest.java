package io.polyhe.he.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModulusTest {

  private static long primeOfBits(int bits) {
    return Primes.nttPrimes(4, new int[] {bits}, java.util.Set.of()).get(0);
  }

  private static long big(BigInteger v) {
    return v.longValueExact();
  }

  @ParameterizedTest
  @ValueSource(ints = {17, 20, 30, 36, 40, 45, 50, 55, 59, 60})
  void arithmeticMatchesBigInteger(int bits) {
    long qv = primeOfBits(bits);
    Modulus q = new Modulus(qv);
    BigInteger bq = BigInteger.valueOf(qv);
    SplittableRandom r = new SplittableRandom(bits);
    for (int i = 0; i < 20_000; i++) {
      long a = r.nextLong(qv);
      long b = r.nextLong(qv);
      BigInteger ba = BigInteger.valueOf(a);
      BigInteger bb = BigInteger.valueOf(b);
      assertEquals(big(ba.multiply(bb).mod(bq)), q.mul(a, b));
      assertEquals(big(ba.add(bb).mod(bq)), q.add(a, b));
      assertEquals(big(ba.subtract(bb).mod(bq)), q.sub(a, b));
      long shoup = q.shoup(b);
      assertEquals(big(ba.multiply(bb).mod(bq)), q.mulShoup(a, b, shoup));
      long x = r.nextLong();
      assertEquals(big(BigInteger.valueOf(x).mod(bq)), q.reduceSigned(x));
      assertEquals(
          big(new BigInteger(Long.toUnsignedString(x)).mod(bq)), q.reduceUnsigned(x));
    }
    // Edge values.
    assertEquals(big(BigInteger.valueOf(Long.MIN_VALUE).mod(bq)), q.reduceSigned(Long.MIN_VALUE));
    assertEquals(big(BigInteger.valueOf(Long.MAX_VALUE).mod(bq)), q.reduceSigned(Long.MAX_VALUE));
    assertEquals(big(BigInteger.valueOf(qv - 1).pow(2).mod(bq)), q.mul(qv - 1, qv - 1));
    assertEquals(0, q.negate(0));
  }

  /** Law: a · a^-1 = 1 and a^(q-1) = 1 (Fermat), for random a and prime sizes. */
  @org.junit.jupiter.api.Test
  void inverseAndPowAreConsistent() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 300; i++) {
      long qv = primeOfBits(20 + r.nextInt(41));
      Modulus q = new Modulus(qv);
      long a = 1 + r.nextLong(qv - 1);
      assertEquals(1, q.mul(a, q.inverse(a)));
      assertEquals(1, q.pow(a, qv - 1));
    }
  }

  /** Law: the lazy Shoup product of any value below 4q is congruent and below 2q. */
  @org.junit.jupiter.api.Test
  void lazyShoupStaysBelowTwoQ() {
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < 2000; i++) {
      long qv = primeOfBits(20 + r.nextInt(41));
      Modulus q = new Modulus(qv);
      long w = r.nextLong(qv);
      long a = r.nextLong(4 * qv);
      long res = q.mulShoupLazy(a, w, q.shoup(w));
      assertEquals(q.mul(q.reduceUnsigned(a), w), res >= qv ? res - qv : res);
      org.junit.jupiter.api.Assertions.assertTrue(res >= 0 && res < 2 * qv);
    }
  }

  @org.junit.jupiter.api.Test
  void rejectsUnsupportedModuli() {
    assertThrows(IllegalArgumentException.class, () -> new Modulus(0));
    assertThrows(IllegalArgumentException.class, () -> new Modulus(-7));
    assertThrows(IllegalArgumentException.class, () -> new Modulus(40961)); // 16 bits: too small
    assertThrows(IllegalArgumentException.class, () -> new Modulus(1L << 62));
    assertThrows(ArithmeticException.class, () -> new Modulus(primeOfBits(30)).inverse(0));
  }
}
