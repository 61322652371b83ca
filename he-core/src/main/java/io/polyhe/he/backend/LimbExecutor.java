package io.polyhe.he.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs per-limb work of a backend call, in parallel over limbs on a private daemon {@link
 * ForkJoinPool} when {@code threads > 1} and the call is large enough to pay for the hand-off,
 * otherwise on the caller's thread. Shared by every backend so they parallelise alike. Thread-safe.
 */
public final class LimbExecutor {
  /** Below this many residues of work per call, running on the caller's thread is faster. */
  public static final long PARALLEL_THRESHOLD = 1 << 14;

  private final int threads;
  private final ForkJoinPool pool;

  /**
   * @param threads worker threads, at least 1 (1 = the caller's thread only)
   * @param threadName prefix of the worker threads' names
   */
  public LimbExecutor(int threads, String threadName) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads, p -> {
      var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      t.setDaemon(true);
      t.setName(threadName + "-" + t.getPoolIndex());
      return t;
    }, null, false) : null;
  }

  public int threads() {
    return threads;
  }

  /** Runs {@code body} for limbs {@code 0..count-1}; {@code work} is the call's size in residues. */
  public void forEachLimb(int count, long work, IntConsumer body) {
    if (pool == null || count < 2 || work < PARALLEL_THRESHOLD) {
      for (int i = 0; i < count; i++) {
        body.accept(i);
      }
      return;
    }
    pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
  }

  /** Length of the limbs of a batch (0 for an empty batch). */
  public static int limbLength(long[][] limbs, int count) {
    return count == 0 ? 0 : limbs[0].length;
  }
}
