package io.polyhe.he.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.math.Primes;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Java backend's kernels against exact reference arithmetic. */
class JavaBackendTest {

  /** Schoolbook product in Z_q[X]/(X^N+1), exact with BigInteger. */
  static long[] schoolbookNegacyclic(long[] a, long[] b, long q) {
    int n = a.length;
    BigInteger[] acc = new BigInteger[n];
    java.util.Arrays.fill(acc, BigInteger.ZERO);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        BigInteger p = BigInteger.valueOf(a[i]).multiply(BigInteger.valueOf(b[j]));
        int k = i + j;
        if (k < n) {
          acc[k] = acc[k].add(p);
        } else {
          acc[k - n] = acc[k - n].subtract(p);
        }
      }
    }
    long[] out = new long[n];
    for (int k = 0; k < n; k++) {
      out[k] = acc[k].mod(BigInteger.valueOf(q)).longValueExact();
    }
    return out;
  }

  @ParameterizedTest(name = "logN={0} bits={1} threads={2}")
  @CsvSource({"3,20,1", "6,40,1", "8,60,2", "9,50,2", "10,36,1", "10,59,2"})
  void nttMultiplicationEqualsSchoolbook(int logN, int bits, int threads) {
    long qv = Primes.nttPrimes(logN, new int[] {bits}, Set.of()).get(0);
    Modulus q = new Modulus(qv);
    NttTables t = new NttTables(q, logN);
    int n = 1 << logN;
    SplittableRandom r = new SplittableRandom(logN * 100 + bits);
    long[] a = new long[n];
    long[] b = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextLong(qv);
      b[i] = r.nextLong(qv);
    }
    a[0] = qv - 1; // extreme residues
    b[n - 1] = qv - 1;
    long[] expected = schoolbookNegacyclic(a, b, qv);
    ComputeBackend backend = new JavaBackend(threads);
    long[][] fa = {a.clone()};
    long[][] fb = {b.clone()};
    NttTables[] tables = {t};
    Modulus[] moduli = {q};
    backend.forwardNtt(fa, tables, 1);
    backend.forwardNtt(fb, tables, 1);
    for (long v : fa[0]) {
      org.junit.jupiter.api.Assertions.assertTrue(v >= 0 && v < qv, "NTT output not reduced");
    }
    backend.multiply(fa, fb, fa, moduli, 1);
    backend.inverseNtt(fa, tables, 1);
    assertArrayEquals(expected, fa[0]);
  }

  @ParameterizedTest
  @CsvSource({"12,60", "14,40", "15,50"})
  void nttRoundTripIsIdentityAndEvaluatesAtOddPowersOfPsi(int logN, int bits) {
    long qv = Primes.nttPrimes(logN, new int[] {bits}, Set.of()).get(0);
    Modulus q = new Modulus(qv);
    NttTables t = new NttTables(q, logN);
    int n = 1 << logN;
    SplittableRandom r = new SplittableRandom(logN);
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextLong(qv);
    }
    long[][] x = {a.clone()};
    JavaBackend backend = new JavaBackend(1);
    backend.forwardNtt(x, new NttTables[] {t}, 1);
    // Slot j holds a(psi^(2·bitrev(j)+1)); check a few slots by Horner evaluation.
    for (int j : new int[] {0, 1, n / 2, n - 1}) {
      long point = q.pow(t.psi(), 2L * NttTables.bitReverse(j, logN) + 1);
      long value = 0;
      for (int i = n - 1; i >= 0; i--) {
        value = q.add(q.mul(value, point), a[i]);
      }
      assertEquals(value, x[0][j], "slot " + j);
    }
    backend.inverseNtt(x, new NttTables[] {t}, 1);
    assertArrayEquals(a, x[0]);
  }

  @ParameterizedTest
  @CsvSource({"1", "2"})
  void batchedOpsMatchScalarReference(int threads) {
    int logN = 11;
    int n = 1 << logN;
    List<Long> primes = Primes.nttPrimes(logN, new int[] {60, 40, 40, 30}, Set.of());
    int count = primes.size();
    Modulus[] moduli = primes.stream().map(Modulus::new).toArray(Modulus[]::new);
    SplittableRandom r = new SplittableRandom(threads);
    long[][] a = new long[count][n];
    long[][] b = new long[count][n];
    long[][] c = new long[count][n];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < n; j++) {
        a[i][j] = r.nextLong(moduli[i].value());
        b[i][j] = r.nextLong(moduli[i].value());
        c[i][j] = r.nextLong(moduli[i].value());
      }
    }
    JavaBackend backend = new JavaBackend(threads);
    long[][] sum = new long[count][n];
    long[][] diff = new long[count][n];
    long[][] prod = new long[count][n];
    long[][] neg = new long[count][n];
    long[][] mac = deepCopy(c);
    long[][] scaled = new long[count][n];
    long[] scalars = new long[count];
    for (int i = 0; i < count; i++) {
      scalars[i] = r.nextLong(moduli[i].value());
    }
    backend.add(a, b, sum, moduli, count);
    backend.sub(a, b, diff, moduli, count);
    backend.multiply(a, b, prod, moduli, count);
    backend.negate(a, neg, moduli, count);
    backend.multiplyAccumulate(a, b, mac, moduli, count);
    backend.multiplyScalar(a, scalars, scaled, moduli, count);
    long[][] bShoup = new long[count][n];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < n; j++) {
        bShoup[i][j] = moduli[i].shoup(b[i][j]);
      }
    }
    long[][] prodShoup = new long[count][n];
    long[][] macShoup = deepCopy(c);
    backend.multiplyShoup(a, b, bShoup, prodShoup, moduli, count);
    backend.multiplyAccumulateShoup(a, b, bShoup, macShoup, moduli, count);
    for (int i = 0; i < count; i++) {
      assertArrayEquals(prod[i], prodShoup[i], "Shoup product, limb " + i);
      assertArrayEquals(mac[i], macShoup[i], "Shoup multiply-accumulate, limb " + i);
    }
    for (int i = 0; i < count; i++) {
      BigInteger q = BigInteger.valueOf(moduli[i].value());
      for (int j = 0; j < n; j++) {
        BigInteger x = BigInteger.valueOf(a[i][j]);
        BigInteger y = BigInteger.valueOf(b[i][j]);
        assertEquals(x.add(y).mod(q).longValue(), sum[i][j]);
        assertEquals(x.subtract(y).mod(q).longValue(), diff[i][j]);
        assertEquals(x.multiply(y).mod(q).longValue(), prod[i][j]);
        assertEquals(x.negate().mod(q).longValue(), neg[i][j]);
        assertEquals(x.multiply(y).add(BigInteger.valueOf(c[i][j])).mod(q).longValue(), mac[i][j]);
        assertEquals(x.multiply(BigInteger.valueOf(scalars[i])).mod(q).longValue(), scaled[i][j]);
      }
    }
  }

  /** Dot products of 1 to 65 terms (lazy 128-bit sums, and the term-by-term fallbacks) equal BigInteger sums. */
  @ParameterizedTest
  @CsvSource({"1, 1", "2, 2", "5, 1", "5, 2", "64, 2", "65, 2"})
  void multiplySumMatchesBigIntegerDotProducts(int terms, int threads) {
    int logN = 10;
    int n = 1 << logN;
    List<Long> primes = Primes.nttPrimes(logN, new int[] {60, 44, 33, 30}, Set.of());
    int count = primes.size();
    Modulus[] moduli = primes.stream().map(Modulus::new).toArray(Modulus[]::new);
    SplittableRandom r = new SplittableRandom(terms);
    long[][][] a = new long[terms][count][n];
    long[][][] b = new long[terms][count][n];
    for (int t = 0; t < terms; t++) {
      for (int i = 0; i < count; i++) {
        for (int j = 0; j < n; j++) {
          // Many residues at q - 1: the largest products, where a 128-bit sum would overflow first.
          a[t][i][j] = j % 3 == 0 ? moduli[i].value() - 1 : r.nextLong(moduli[i].value());
          b[t][i][j] = j % 3 == 0 ? moduli[i].value() - 1 : r.nextLong(moduli[i].value());
        }
      }
    }
    long[][] out = new long[count][n];
    new JavaBackend(threads).multiplySum(a, b, out, moduli, count);
    for (int i = 0; i < count; i++) {
      BigInteger q = BigInteger.valueOf(moduli[i].value());
      for (int j = 0; j < n; j++) {
        BigInteger sum = BigInteger.ZERO;
        for (int t = 0; t < terms; t++) {
          sum = sum.add(BigInteger.valueOf(a[t][i][j]).multiply(BigInteger.valueOf(b[t][i][j])));
        }
        assertEquals(sum.mod(q).longValue(), out[i][j], "limb " + i + ", coefficient " + j);
      }
    }
  }

  private static long[][] deepCopy(long[][] x) {
    long[][] c = new long[x.length][];
    for (int i = 0; i < x.length; i++) {
      c[i] = x[i].clone();
    }
    return c;
  }

  @org.junit.jupiter.api.Test
  void rejectsZeroThreadsAndUnknownBackends() {
    assertThrows(IllegalArgumentException.class, () -> new JavaBackend(0));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ComputeBackends.create("nope", 1));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("unknown backend"));
    assertEquals("java", ComputeBackends.create("java", 1).name());
  }
}
