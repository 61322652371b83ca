package io.polyhe.he.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Divide128Test {
  private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

  private static BigInteger unsigned(long v) {
    return new BigInteger(Long.toUnsignedString(v));
  }

  @Test
  void matchesBigIntegerDivision() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 200_000; i++) {
      long d = r.nextLong();
      if (i % 3 == 0) {
        d >>>= r.nextInt(63);
      }
      if (d == 0) {
        d = 1;
      }
      long hi = Long.remainderUnsigned(r.nextLong(), d);
      long lo = r.nextLong();
      BigInteger expected = unsigned(hi).multiply(TWO64).add(unsigned(lo)).divide(unsigned(d));
      assertEquals(expected.longValue(), Modulus.divide128(hi, lo, d), "hi=" + hi + " lo=" + lo + " d=" + d);
    }
    assertEquals(-1L, Modulus.divide128(0, -1L, 1));
    assertEquals(1L << 63, Modulus.divide128(1, 0, 2));
    assertThrows(ArithmeticException.class, () -> Modulus.divide128(5, 0, 5));
  }
}
