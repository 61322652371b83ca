package io.polyhe.nativebackend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.rlwe.RlweParameters;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every CUDA kernel against the Java backend, bit for bit, over all limbs of a preset's primes at
 * once (random residues with 0 and q-1 planted). Without a GPU or without the library the tests are
 * skipped with the reason; forcing {@code --backend cuda} then fails with that reason.
 */
class CudaDifferentialTest {
  private static final ComputeBackend JAVA = new JavaBackend(1);

  @Test
  void forcingTheBackendWithoutAGpuSaysWhy() {
    if (CudaLibrary.available()) {
      assertEquals("cuda", ComputeBackends.create("cuda", 1).name());
    } else {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeBackends.create("cuda", 1));
      assertTrue(e.getMessage().contains(CudaLibrary.unavailableReason()), e.getMessage());
    }
  }

  /**
   * The cuda-host-build test run loads the host build of the CUDA sources and sets
   * polyhe.cuda.expectHostBuild: there the library must load, so that run cannot pass by skipping.
   */
  @Test
  void theHostBuildLoadsWhereTheBuildMadeIt() {
    assumeTrue(Boolean.getBoolean("polyhe.cuda.expectHostBuild"), "not the cuda-host-build run");
    assertTrue(CudaLibrary.available(), () -> "host build did not load: " + CudaLibrary.unavailableReason());
    assertTrue(CudaLibrary.hostBuild());
    assertTrue(CudaLibrary.device().contains("host build"), CudaLibrary.device());
    assertTrue(new CudaBackend().toString().contains("host build"));
  }

  private static long[][] random(SplittableRandom r, Modulus[] m, int n) {
    long[][] a = new long[m.length][n];
    for (int i = 0; i < m.length; i++) {
      long q = m[i].value();
      for (int j = 0; j < n; j++) {
        a[i][j] = r.nextLong(q);
      }
      a[i][0] = q - 1;
      a[i][1] = 0;
    }
    return a;
  }

  private static long[][] copy(long[][] a) {
    long[][] c = new long[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  private static void same(String what, long[][] expected, long[][] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], actual[i], what + ", limb " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(value = CkksPreset.class, names = {"N12_QP109_128", "N14_QP438_128", "N16_QP1772_128"})
  void everyKernelMatchesJava(CkksPreset preset) {
    assumeTrue(CudaLibrary.available(), () -> "CUDA backend unavailable: " + CudaLibrary.unavailableReason());
    ComputeBackend cuda = new CudaBackend();
    RlweParameters p = preset.parameters().rlwe();
    int count = p.maxLevel() + 1;
    int n = p.n();
    Modulus[] m = new Modulus[count];
    NttTables[] t = new NttTables[count];
    for (int i = 0; i < count; i++) {
      m[i] = new Modulus(p.q(i));
      t[i] = new NttTables(m[i], p.logN());
    }
    SplittableRandom r = new SplittableRandom(preset.ordinal());
    long[][] a = random(r, m, n);
    long[][] b = random(r, m, n);
    long[] scalars = new long[count];
    for (int i = 0; i < count; i++) {
      scalars[i] = r.nextLong(m[i].value());
    }

    long[][] x = copy(a);
    long[][] y = copy(a);
    JAVA.forwardNtt(x, t, count);
    cuda.forwardNtt(y, t, count);
    same("forward NTT", x, y);
    JAVA.inverseNtt(x, t, count);
    cuda.inverseNtt(y, t, count);
    same("inverse NTT", x, y);
    same("NTT round trip", a, y);

    long[][] e = new long[count][n];
    long[][] g = new long[count][n];
    JAVA.add(a, b, e, m, count);
    cuda.add(a, b, g, m, count);
    same("add", e, g);
    JAVA.sub(a, b, e, m, count);
    cuda.sub(a, b, g, m, count);
    same("sub", e, g);
    JAVA.multiply(a, b, e, m, count);
    cuda.multiply(a, b, g, m, count);
    same("multiply", e, g);
    long[][] accJ = copy(b);
    long[][] accC = copy(b);
    JAVA.multiplyAccumulate(a, b, accJ, m, count);
    cuda.multiplyAccumulate(a, b, accC, m, count);
    same("multiply-accumulate", accJ, accC);
    JAVA.negate(a, e, m, count);
    cuda.negate(a, g, m, count);
    same("negate", e, g);
    JAVA.multiplyScalar(a, scalars, e, m, count);
    cuda.multiplyScalar(a, scalars, g, m, count);
    same("multiply by scalar", e, g);
    JAVA.addScalar(a, scalars, e, m, count);
    cuda.addScalar(a, scalars, g, m, count);
    same("add scalar", e, g);
    long[] inverses = new long[count];
    for (int i = 0; i < count; i++) {
      inverses[i] = 1 + r.nextLong(m[i].value() - 1);
    }
    JAVA.subtractAndScale(a, b, inverses, e, m, count);
    cuda.subtractAndScale(a, b, inverses, g, m, count);
    same("subtract and scale", e, g);
    int galois = 5;
    JAVA.automorphismCoefficients(a, galois, e, m, count);
    cuda.automorphismCoefficients(a, galois, g, m, count);
    same("automorphism", e, g);
    int[] perm = new int[n];
    for (int j = 0; j < n; j++) {
      perm[j] = (int) ((j * 3L + 7) % n);
    }
    JAVA.permute(a, perm, e, count);
    cuda.permute(a, perm, g, count);
    same("permute", e, g);

    // Base conversion from the first half of the primes to the second.
    int from = Math.max(1, count / 2);
    int to = count - from;
    if (to > 0) {
      Modulus[] fm = java.util.Arrays.copyOfRange(m, 0, from);
      Modulus[] tm = java.util.Arrays.copyOfRange(m, from, count);
      long[] hatInv = new long[from];
      long[] hatInvShoup = new long[from];
      long[][] hat = new long[from][to];
      long[][] hatShoup = new long[from][to];
      long[] dMod = new long[to];
      for (int i = 0; i < from; i++) {
        hatInv[i] = 1 + r.nextLong(fm[i].value() - 1);
        hatInvShoup[i] = fm[i].shoup(hatInv[i]);
        for (int k = 0; k < to; k++) {
          hat[i][k] = r.nextLong(tm[k].value());
          hatShoup[i][k] = tm[k].shoup(hat[i][k]);
        }
      }
      for (int k = 0; k < to; k++) {
        dMod[k] = r.nextLong(tm[k].value());
      }
      long[][] ej = new long[to][n];
      long[][] gc = new long[to][n];
      long[][] in = java.util.Arrays.copyOfRange(a, 0, from);
      JAVA.convertBasis(in, fm, hatInv, hatInvShoup, from, hat, hatShoup, dMod, ej, tm, to);
      cuda.convertBasis(in, fm, hatInv, hatInvShoup, from, hat, hatShoup, dMod, gc, tm, to);
      same("base conversion", ej, gc);
    }
  }
}
