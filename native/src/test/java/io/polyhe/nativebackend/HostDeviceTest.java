package io.polyhe.nativebackend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyhe.he.backend.DeviceBuffer;
import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The host device's stream rules: spans, sticky failures, stream-ordered frees, the cleaner, ownership. */
class HostDeviceTest {
  private static final int N = 1 << 10;
  private static final Modulus[] Q = {new Modulus(1152921504606748673L), new Modulus(1099511480321L),
      new Modulus(1099510054913L)};

  @BeforeAll
  static void requireLibrary() {
    assumeTrue(NativeLibrary.available(), () -> "native library absent: " + NativeLibrary.unavailableReason());
  }

  private static long[][] random(SplittableRandom r, Modulus[] m) {
    long[][] a = new long[m.length][N];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < N; j++) {
        a[i][j] = r.nextLong(m[i].value());
      }
    }
    return a;
  }

  @Test
  void spansAtAnOffsetComputeWhatTheJavaBackendDoes() {
    SplittableRandom r = new SplittableRandom(1);
    long[][] a = random(r, Q);
    long[][] b = random(r, Q);
    Modulus[] last2 = {Q[1], Q[2]};
    try (HostDevice d = new HostDevice(N, 2)) {
      DeviceBuffer x = d.allocate(3);
      DeviceBuffer y = d.allocate(3);
      DeviceBuffer z = d.allocate(2);
      d.upload(a, 0, x.all());
      d.upload(b, 0, y.all());
      d.multiply(x.span(1, 2), y.span(1, 2), z.all(), last2);
      NttTables[] t = {new NttTables(Q[1], 10), new NttTables(Q[2], 10)};
      d.forwardNtt(z.all(), t);
      long[][] got = new long[2][N];
      d.download(z.all(), got);
      long[][] expected = new long[2][N];
      JavaBackend java = new JavaBackend(1);
      java.multiply(new long[][] {a[1], a[2]}, new long[][] {b[1], b[2]}, expected, last2, 2);
      java.forwardNtt(expected, t, 2);
      assertArrayEquals(expected[0], got[0]);
      assertArrayEquals(expected[1], got[1]);
    }
  }

  @Test
  void aFailureIsStickyUntilTheNextSynchronisationAndLaterOperationsAreDropped() {
    try (HostDevice d = new HostDevice(N, 1)) {
      DeviceBuffer x = d.allocate(1);
      AtomicBoolean ranAfter = new AtomicBoolean();
      d.enqueueForTests(() -> {
        throw new IllegalStateException("kernel exploded");
      });
      d.enqueueForTests(() -> ranAfter.set(true));
      IllegalStateException e = assertThrows(IllegalStateException.class, d::synchronize);
      assertTrue(e.getMessage().contains("kernel exploded"), e.getMessage());
      assertFalse(ranAfter.get(), "an operation queued after a failure must not run");
      d.synchronize(); // cleared: the stream works again
      long[][] out = new long[1][N];
      d.download(x.all(), out);
      assertEquals(0, out[0][N - 1]);
    }
  }

  @Test
  void argumentsAreCheckedWhenQueuedNotWhenRun() {
    try (HostDevice d = new HostDevice(N, 1); HostDevice other = new HostDevice(N, 1)) {
      DeviceBuffer x = d.allocate(2);
      DeviceBuffer foreign = other.allocate(2);
      assertThrows(IllegalArgumentException.class, () -> d.add(x.all(), foreign.all(), x.all(), Q));
      assertThrows(IllegalArgumentException.class, () -> d.add(x.all(), x.span(0, 1), x.all(), Q));
      assertThrows(IllegalArgumentException.class, () -> d.multiplyScalar(x.all(), new long[] {Q[0].value(), 0},
          x.all(), Q));
      assertThrows(IllegalArgumentException.class, () -> d.automorphismNtt(x.all(), 4, d.allocate(2).all()));
      assertThrows(IllegalArgumentException.class, () -> d.automorphismNtt(x.all(), 5, x.all()));
      assertThrows(IllegalArgumentException.class, () -> x.span(1, 2));
      x.close();
      assertThrows(IllegalStateException.class, () -> d.negate(x.all(), x.all(), Q));
    }
    HostDevice closed = new HostDevice(N, 1);
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.allocate(1));
  }

  @Test
  void ownersAreCountedAndTheLastCloseFreesInStreamOrder() {
    try (HostDevice d = new HostDevice(N, 1)) {
      long limb = (long) N * Long.BYTES;
      DeviceBuffer x = d.allocate(2);
      assertEquals(2 * limb, d.residentBytes());
      x.retain();
      x.close();
      assertTrue(x.isOpen(), "one owner left");
      x.close();
      assertFalse(x.isOpen());
      assertEquals(0, d.residentBytes());
      DeviceBuffer reused = d.allocate(2); // from the pool, zeroed in stream order
      long[][] out = new long[2][N];
      d.download(reused.all(), out);
      assertEquals(0, out[1][7]);
    }
  }

  @Test
  void theCleanerFreesAForgottenBuffer() throws InterruptedException {
    try (ResidentDevice d = new HostDevice(N, 1)) {
      d.allocate(4); // dropped at once
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (d.residentBytes() != 0 && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(20);
      }
      assertEquals(0, d.residentBytes(), "an unreachable buffer is freed by the cleaner");
    }
  }
}
