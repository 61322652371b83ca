package io.polyhe.he.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.math.Primes;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RnsRingTest {
  private static final int LOG_N = 10;
  private static final int N = 1 << LOG_N;
  private final List<Long> primes = Primes.nttPrimes(LOG_N, new int[] {60, 40, 40, 35}, Set.of());
  private final RnsBasis basis =
      new RnsBasis(LOG_N, primes.stream().mapToLong(Long::longValue).toArray());
  private final RnsRing ring =
      new RnsRing(LOG_N, io.polyhe.he.HeTestSupport.backend(io.polyhe.he.HeTestSupport.suiteBackend()));

  private BigInteger modulusProduct(int count) {
    BigInteger q = BigInteger.ONE;
    for (int i = 0; i < count; i++) {
      q = q.multiply(BigInteger.valueOf(primes.get(i)));
    }
    return q;
  }

  private RnsPoly fromBig(BigInteger[] values, RnsBasis b) {
    RnsPoly p = new RnsPoly(b, false);
    for (int i = 0; i < b.size(); i++) {
      BigInteger q = BigInteger.valueOf(b.modulus(i).value());
      for (int j = 0; j < N; j++) {
        p.limb(i)[j] = values[j].mod(q).longValue();
      }
    }
    return p;
  }

  private BigInteger[] randomBig(SplittableRandom r, BigInteger bound) {
    BigInteger[] v = new BigInteger[N];
    for (int j = 0; j < N; j++) {
      v[j] = new BigInteger(bound.bitLength() + 8, new java.util.Random(r.nextLong())).mod(bound)
          .subtract(bound.shiftRight(1));
    }
    return v;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void divideRoundByLastPrimeIsExactRounding(boolean nttForm) {
    SplittableRandom r = new SplittableRandom(nttForm ? 1 : 2);
    BigInteger q = modulusProduct(4);
    BigInteger qLast = BigInteger.valueOf(primes.get(3));
    BigInteger[] x = randomBig(r, q);
    x[0] = q.shiftRight(1); // extremes of the centred range
    x[1] = q.shiftRight(1).negate();
    x[2] = qLast.shiftRight(1); // exactly at a rounding boundary: x/q_last = 0.4999..
    x[3] = qLast.shiftRight(1).add(BigInteger.ONE); // 0.5000.. rounds up
    RnsPoly p = fromBig(x, basis);
    if (nttForm) {
      ring.toNtt(p);
    }
    RnsPoly out = ring.divideRoundByLastPrime(p);
    assertEquals(3, out.limbCount());
    assertEquals(nttForm, out.isNtt());
    ring.toCoefficients(out);
    BigInteger[] expected = new BigInteger[N];
    for (int j = 0; j < N; j++) {
      // round(x / q_last), ties up: floor((x + floor(q_last/2)) / q_last).
      expected[j] = floorDiv(x[j].add(qLast.shiftRight(1)), qLast);
    }
    assertEquals(0, expected[2].signum());
    assertEquals(1, expected[3].signum());
    RnsPoly want = fromBig(expected, basis.prefix(3));
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(want.limb(i), out.limb(i), "limb " + i);
    }
  }

  /** The errors of public-key encryption are added inside the division: round((x + e) / q_last). */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void divideRoundByLastPrimeAddsSmallCoefficientsFirst(boolean nttForm) {
    SplittableRandom r = new SplittableRandom(nttForm ? 11 : 12);
    BigInteger q = modulusProduct(4);
    BigInteger qLast = BigInteger.valueOf(primes.get(3));
    BigInteger[] x = randomBig(r, q);
    x[0] = qLast.shiftRight(1); // with e = +1 crosses the rounding boundary, with e = -1 does not
    x[1] = qLast.shiftRight(1);
    x[2] = q.shiftRight(1).subtract(BigInteger.TWO); // near the top of the centred range
    long[] e = new long[N];
    for (int j = 0; j < N; j++) {
      e[j] = r.nextLong(-19, 20);
    }
    e[0] = 1;
    e[1] = -1;
    e[2] = -19;
    RnsPoly p = fromBig(x, basis);
    if (nttForm) {
      ring.toNtt(p);
    }
    RnsPoly before = p.copy();
    RnsPoly out = ring.divideRoundByLastPrime(p, e);
    assertTrue(before.sameValueAs(p), "the operand is left as it was");
    assertEquals(nttForm, out.isNtt());
    ring.toCoefficients(out);
    BigInteger[] expected = new BigInteger[N];
    for (int j = 0; j < N; j++) {
      expected[j] = floorDiv(x[j].add(BigInteger.valueOf(e[j])).add(qLast.shiftRight(1)), qLast);
    }
    assertEquals(1, expected[0].signum());
    assertEquals(0, expected[1].signum());
    RnsPoly want = fromBig(expected, basis.prefix(3));
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(want.limb(i), out.limb(i), "limb " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> ring.divideRoundByLastPrime(p, new long[N - 1]));
  }

  private static BigInteger floorDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
  }

  @Test
  void crtReconstructionGivesTheCentredValue() {
    SplittableRandom r = new SplittableRandom(3);
    BigInteger q = modulusProduct(4);
    BigInteger[] x = randomBig(r, q);
    x[0] = q.shiftRight(1);
    x[1] = q.shiftRight(1).negate();
    x[2] = BigInteger.valueOf(-1);
    x[3] = BigInteger.valueOf(123456789);
    RnsPoly p = fromBig(x, basis);
    double[] out = new double[N];
    new CrtReconstructor(basis).toCenteredDoubles(p, out);
    for (int j = 0; j < N; j++) {
      double want = x[j].doubleValue();
      assertEquals(want, out[j], Math.abs(want) * 0x1p-50, "coefficient " + j);
    }
    assertEquals(-1.0, out[2]);
    assertEquals(123456789.0, out[3]);
  }

  @Test
  void automorphismInNttFormMatchesCoefficientForm() {
    SplittableRandom r = new SplittableRandom(4);
    RnsPoly p = fromBig(randomBig(r, modulusProduct(4)), basis);
    for (int galois : new int[] {5, 25, 2 * N - 1, 3, 2 * N - 5}) {
      RnsPoly coeffImage = new RnsPoly(basis, false);
      ring.automorphism(p, galois, coeffImage);
      RnsPoly ntt = p.copy();
      ring.toNtt(ntt);
      RnsPoly nttImage = new RnsPoly(basis, true);
      ring.automorphism(ntt, galois, nttImage);
      ring.toCoefficients(nttImage);
      for (int i = 0; i < basis.size(); i++) {
        assertArrayEquals(coeffImage.limb(i), nttImage.limb(i), "galois " + galois);
      }
    }
    // X -> X^g sends X to X^g: check on the monomial X.
    RnsPoly x = new RnsPoly(basis, false);
    for (int i = 0; i < basis.size(); i++) {
      x.limb(i)[1] = 1;
    }
    RnsPoly img = new RnsPoly(basis, false);
    ring.automorphism(x, 2 * N - 1, img); // X^(2N-1) = -X^(N-1)
    assertEquals(primes.get(0) - 1, img.limb(0)[N - 1]);
  }

  @Test
  void mismatchedOperandsAreRejected() {
    RnsPoly a = new RnsPoly(basis, true);
    RnsPoly b = new RnsPoly(basis.prefix(3), true);
    RnsPoly c = new RnsPoly(basis, false);
    assertThrows(IllegalArgumentException.class, () -> ring.add(a, b, a));
    assertThrows(IllegalArgumentException.class, () -> ring.add(a, c, a));
    assertThrows(IllegalArgumentException.class, () -> ring.multiply(c, c, c));
    assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 4, new RnsPoly(basis, true)));
    assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 5, a));
    assertThrows(IllegalArgumentException.class,
        () -> ring.divideRoundByLastPrime(new RnsPoly(basis.prefix(1), true)));
    RnsPoly bad = new RnsPoly(basis, false);
    bad.limb(2)[7] = primes.get(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::checkReduced);
    assertTrue(e.getMessage().contains("coefficient 7 of limb 2"));
  }
}
