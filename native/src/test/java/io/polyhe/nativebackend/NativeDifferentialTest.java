package io.polyhe.nativebackend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.ring.BaseConverter;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.rlwe.RlweParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every native kernel against the Java backend, bit for bit, on random inputs (with the extreme
 * residues 0 and q-1 planted), for every prime of every preset (N = 2^12..2^16, 30..60-bit
 * primes) and every kernel path. A path this CPU lacks is skipped with the reason in the report.
 */
class NativeDifferentialTest {
  private static final ComputeBackend JAVA = new JavaBackend(1);
  private static String initialPath;

  @BeforeAll
  static void requireLibrary() {
    assumeTrue(NativeLibrary.available(), () -> "native library absent: " + NativeLibrary.unavailableReason());
    initialPath = NativePaths.active();
  }

  @AfterAll
  static void restorePath() {
    if (initialPath != null) {
      NativePaths.select(initialPath);
    }
  }

  static Stream<Arguments> pathsAndPresets() {
    List<Arguments> list = new ArrayList<>();
    for (String path : NativePaths.ALL) {
      for (CkksPreset preset : CkksPreset.values()) {
        list.add(Arguments.of(path, preset));
      }
    }
    return list.stream();
  }

  /** Selects the path or skips the test, saying why. */
  private static void usePath(String path) {
    List<String> supported = NativePaths.supported();
    assumeTrue(
        supported.contains(path),
        () -> "path " + path + " not supported by this CPU (supported: " + supported + ")");
    NativePaths.select(path);
  }

  private static long[] random(SplittableRandom r, int n, long q) {
    long[] a = new long[n];
    for (int j = 0; j < n; j++) {
      a[j] = r.nextLong(q);
    }
    a[0] = q - 1;
    a[1] = 0;
    a[n - 1] = q - 1;
    return a;
  }

  private static long[][] one(long[] a) {
    return new long[][] {a.clone()};
  }

  private static long[][] zero(int n) {
    return new long[][] {new long[n]};
  }

  private static void same(String what, long q, long[][] expected, long[][] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], actual[i], () -> what + " differs for q=" + q);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndPresets")
  void everyKernelMatchesJavaOnEveryPrime(String path, CkksPreset preset) {
    usePath(path);
    RlweParameters params = preset.parameters().rlwe();
    int logN = params.logN();
    int n = params.n();
    ComputeBackend nat = new NativeBackend(1);
    long[] primes = concat(params.qPrimes(), params.pPrimes());
    RnsBasis basis = new RnsBasis(logN, primes);
    SplittableRandom r = new SplittableRandom(31L * logN + path.hashCode());
    RnsRing ring = new RnsRing(logN, JAVA);
    int[] permutation = ring.nttPermutation(5);
    for (int i = 0; i < primes.length; i++) {
      long q = primes[i];
      Modulus[] m = {basis.modulus(i)};
      NttTables[] t = {new NttTables(m[0], logN)};
      long[] a = random(r, n, q);
      long[] b = random(r, n, q);
      long[] s = {r.nextLong(q)};

      long[][] ej = one(a);
      long[][] en = one(a);
      JAVA.forwardNtt(ej, t, 1);
      nat.forwardNtt(en, t, 1);
      same("forwardNtt", q, ej, en);
      ej = one(a);
      en = one(a);
      JAVA.inverseNtt(ej, t, 1);
      nat.inverseNtt(en, t, 1);
      same("inverseNtt", q, ej, en);

      long[][] oj = zero(n);
      long[][] on = zero(n);
      JAVA.add(one(a), one(b), oj, m, 1);
      nat.add(one(a), one(b), on, m, 1);
      same("add", q, oj, on);
      JAVA.sub(one(a), one(b), oj, m, 1);
      nat.sub(one(a), one(b), on, m, 1);
      same("sub", q, oj, on);
      JAVA.negate(one(a), oj, m, 1);
      nat.negate(one(a), on, m, 1);
      same("negate", q, oj, on);
      JAVA.multiply(one(a), one(b), oj, m, 1);
      nat.multiply(one(a), one(b), on, m, 1);
      same("multiply", q, oj, on);
      long[][] accJ = one(b);
      long[][] accN = one(b);
      JAVA.multiplyAccumulate(one(a), one(a), accJ, m, 1);
      nat.multiplyAccumulate(one(a), one(a), accN, m, 1);
      same("multiplyAccumulate", q, accJ, accN);
      JAVA.multiplyScalar(one(a), s, oj, m, 1);
      nat.multiplyScalar(one(a), s, on, m, 1);
      same("multiplyScalar", q, oj, on);
      accJ = one(b);
      accN = one(b);
      JAVA.multiplyScalarAccumulate(one(a), s, accJ, m, 1);
      nat.multiplyScalarAccumulate(one(a), s, accN, m, 1);
      same("multiplyScalarAccumulate", q, accJ, accN);
      JAVA.addScalar(one(a), s, oj, m, 1);
      nat.addScalar(one(a), s, on, m, 1);
      same("addScalar", q, oj, on);
      JAVA.subtractAndScale(one(a), one(b), s, oj, m, 1);
      nat.subtractAndScale(one(a), one(b), s, on, m, 1);
      same("subtractAndScale", q, oj, on);
      JAVA.permute(one(a), permutation, oj, 1);
      nat.permute(one(a), permutation, on, 1);
      same("permute", q, oj, on);
      // Dot products of 1..9 terms (the fused kernel takes four per pass), plain and through the
      // automorphism's permutation, with the values at their extremes (q - 1 in some slots).
      for (int terms : new int[] {1, 2, 4, 5, 9}) {
        long[][][] ta = new long[terms][][];
        long[][][] tb = new long[terms][][];
        long[][][] tp = new long[terms][][];
        for (int k = 0; k < terms; k++) {
          ta[k] = one(random(r, n, q));
          tb[k] = one(random(r, n, q));
          tp[k] = zero(n);
          JAVA.permute(ta[k], permutation, tp[k], 1);
        }
        long[][] sj = zero(n);
        JAVA.multiply(ta[0], tb[0], sj, m, 1);
        for (int k = 1; k < terms; k++) {
          JAVA.multiplyAccumulate(ta[k], tb[k], sj, m, 1);
        }
        long[][] sn = zero(n);
        nat.multiplySum(ta, tb, sn, m, 1);
        same("multiplySum of " + terms, q, sj, sn);
        long[][] pj = zero(n);
        JAVA.multiplySum(tp, tb, pj, m, 1);
        long[][] pn = zero(n);
        nat.multiplySumPermuted(ta, permutation, tb, pn, m, 1);
        same("multiplySumPermuted of " + terms, q, pj, pn);
        long[][] dj = zero(n);
        JAVA.multiplySumPermuted(ta, permutation, tb, dj, m, 1);
        same("multiplySumPermuted (default) of " + terms, q, pj, dj);
      }
      int galois = 2 * n - 3;
      JAVA.automorphismCoefficients(one(a), galois, oj, m, 1);
      nat.automorphismCoefficients(one(a), galois, on, m, 1);
      same("automorphismCoefficients", q, oj, on);
    }
  }

  /**
   * Base conversion over the splits key switching uses: each ModUp digit (q_0's digit holds a
   * 60-bit prime, others 40-bit ones) to the rest of Q·P, and ModDown from P to Q.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndPresets")
  void convertBasisMatchesJava(String path, CkksPreset preset) {
    usePath(path);
    RlweParameters params = preset.parameters().rlwe();
    int logN = params.logN();
    long[] q = params.qPrimes();
    long[] p = params.pPrimes();
    long[] all = concat(q, p);
    int alpha = params.digitSize();
    List<long[][]> splits = new ArrayList<>();
    for (int start = 0; start < q.length; start += alpha) {
      int end = Math.min(start + alpha, q.length);
      long[] from = Arrays.copyOfRange(q, start, end);
      long[] to = new long[all.length - from.length];
      int k = 0;
      for (int i = 0; i < all.length; i++) {
        if (i < start || i >= end) {
          to[k++] = all[i];
        }
      }
      splits.add(new long[][] {from, to});
    }
    splits.add(new long[][] {p, q});
    SplittableRandom r = new SplittableRandom(7L * logN + path.hashCode());
    RnsRing javaRing = new RnsRing(logN, JAVA);
    RnsRing nativeRing = new RnsRing(logN, new NativeBackend(2));
    for (long[][] split : splits) {
      RnsBasis from = new RnsBasis(logN, split[0]);
      RnsBasis to = new RnsBasis(logN, split[1]);
      BaseConverter converter = new BaseConverter(from, to);
      long[][] in = new long[from.size()][];
      for (int i = 0; i < in.length; i++) {
        in[i] = random(r, params.n(), split[0][i]);
      }
      long[][] outJ = new long[to.size()][params.n()];
      long[][] outN = new long[to.size()][params.n()];
      converter.convert(javaRing, in, outJ);
      converter.convert(nativeRing, in, outN);
      for (int k = 0; k < outJ.length; k++) {
        final int kk = k;
        assertArrayEquals(
            outJ[k], outN[k],
            () -> "convertBasis " + from.size() + "->" + to.size() + " limb " + kk + " differs");
      }
    }
  }

  private static long[] concat(long[] a, long[] b) {
    long[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
