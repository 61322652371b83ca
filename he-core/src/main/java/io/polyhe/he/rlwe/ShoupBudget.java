package io.polyhe.he.rlwe;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all live keys' Shoup constants may take together: an eighth of the maximum heap, so
 * that the speed-up never costs the memory a model's keys need (128-bit bootstrapping keys alone
 * take 12 GB). A key's share is handed back when the key is collected. Thread-safe.
 */
final class ShoupBudget {
  private static final long LIMIT = Runtime.getRuntime().maxMemory() / 8;
  private static final AtomicLong RESERVED = new AtomicLong();
  private static final Cleaner CLEANER = Cleaner.create();

  private ShoupBudget() {}

  /** Reserves {@code bytes} for {@code owner}'s constants until it is collected; false if over the limit. */
  static boolean reserve(Object owner, long bytes) {
    if (RESERVED.addAndGet(bytes) > LIMIT) {
      RESERVED.addAndGet(-bytes);
      return false;
    }
    CLEANER.register(owner, () -> RESERVED.addAndGet(-bytes));
    return true;
  }
}
