package io.polyhe.nativebackend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.math.Modulus;
import org.junit.jupiter.api.Test;

/** Discovery through ServiceLoader, the suite's backend, and bad input rejected before C runs. */
class NativeProviderTest {

  @Test
  void providerIsDiscoveredAndWinsWhenTheLibraryLoads() {
    assertTrue(ComputeBackends.names().contains(NativeBackend.NAME));
    assumeTrue(NativeLibrary.available(), NativeLibrary::unavailableReason);
    assertEquals(NativeBackend.NAME, ComputeBackends.best(1).name());
    ComputeBackend b = ComputeBackends.create(NativeBackend.NAME, 2);
    assertEquals(2, b.threads());
    assertTrue(NativePaths.supported().contains(NativePaths.active()));
  }

  /** This module reruns he-core's suite with -Dpolyhe.test.backend=native: check it really does. */
  @Test
  void heCoreSuiteRunsOnTheNativeBackend() {
    assumeTrue(NativeLibrary.available(), NativeLibrary::unavailableReason);
    assertEquals(NativeBackend.NAME, HeTestSupport.suiteBackend());
    assertEquals(
        NativeBackend.NAME, HeTestSupport.context(CkksPreset.N12_QP109_128).backend().name());
  }

  @Test
  void badArgumentsThrowInsteadOfReachingNativeCode() {
    assumeTrue(NativeLibrary.available(), NativeLibrary::unavailableReason);
    ComputeBackend b = new NativeBackend(1);
    Modulus[] m = {new Modulus(132120577L)}; // 27-bit NTT prime
    long[][] a = {new long[16]};
    long[][] shortOut = {new long[8]};
    assertThrows(IllegalArgumentException.class, () -> b.add(a, a, shortOut, m, 1));
    assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.add(a, a, a, m, 2));
    int[] badPermutation = new int[16];
    badPermutation[3] = 16;
    long[][] out = {new long[16]};
    assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.permute(a, badPermutation, out, 1));
    assertThrows(
        IllegalArgumentException.class, () -> b.automorphismCoefficients(a, 4, out, m, 1));
    long[] unreduced = {m[0].value()};
    assertThrows(IllegalArgumentException.class, () -> b.multiplyScalar(a, unreduced, out, m, 1));
  }

  @Test
  void providerReportsAReasonWhenAbsentOrAvailable() {
    NativeBackendProvider p = new NativeBackendProvider();
    assertEquals(NativeBackend.NAME, p.name());
    assertEquals(NativeLibrary.available(), p.create(1).isPresent());
    assertTrue(!p.unavailableReason().isBlank());
  }
}
