package io.polyhe.he.ring;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of limb arrays ({@code long[N]}) for temporaries of hot operations (key
 * switching allocates tens of megabytes per call otherwise, and the garbage collector's pauses
 * then dominate latency). Arrays come back with arbitrary contents: a taker must overwrite every
 * element before reading it. Giving an array back is optional (a lost array is just collected);
 * giving back an array still in use is a bug. Thread-safe.
 */
public final class LimbPool {
  private final int n;
  private final int capacity;
  private final ConcurrentLinkedQueue<long[]> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  /** A pool of arrays of length {@code n}, keeping at most {@code capacity} idle arrays. */
  public LimbPool(int n, int capacity) {
    this.n = n;
    this.capacity = capacity;
  }

  /** An array of length N with arbitrary contents. */
  public long[] take() {
    long[] a = free.poll();
    if (a == null) {
      return new long[n];
    }
    size.decrementAndGet();
    return a;
  }

  /** Returns arrays to the pool (those beyond its capacity are dropped). */
  public void give(long[]... arrays) {
    for (long[] a : arrays) {
      if (a != null && a.length == n && size.incrementAndGet() <= capacity) {
        free.offer(a);
      } else if (a != null && a.length == n) {
        size.decrementAndGet();
      }
    }
  }

  /** Returns all limbs of {@code p} to the pool; {@code p} must not be used afterwards. */
  public void give(RnsPoly p) {
    give(p.limbs());
  }

  /** A polynomial over {@code basis} whose limbs come from the pool (arbitrary contents). */
  public RnsPoly takePoly(RnsBasis basis, boolean ntt) {
    long[][] limbs = new long[basis.size()][];
    for (int i = 0; i < limbs.length; i++) {
      limbs[i] = take();
    }
    return new RnsPoly(basis, limbs, ntt);
  }
}
