package io.polyhe.he.ring;

import java.security.SecureRandom;

/**
 * Where fresh 32-byte seeds come from. Production code uses {@link #secure()}, backed by {@link
 * SecureRandom}; tests may use {@link #deterministicForTestsOnly(long)}, whose name says what it is.
 * Implementations are thread-safe.
 */
public interface SeedSource {

  /** A fresh seed of {@link Xof#SEED_BYTES} bytes. */
  byte[] nextSeed();

  /** Seeds from the platform's strong {@link SecureRandom}. */
  static SeedSource secure() {
    SecureRandom random = new SecureRandom();
    return () -> {
      byte[] seed = new byte[Xof.SEED_BYTES];
      synchronized (random) {
        random.nextBytes(seed);
      }
      return seed;
    };
  }

  /**
   * Reproducible seeds for tests and benchmarks: the i-th seed is the SHAKE-256 output of
   * {@code (label, i)}. Never use it to protect data.
   */
  static SeedSource deterministicForTestsOnly(long label) {
    byte[] base = new byte[Xof.SEED_BYTES];
    for (int i = 0; i < 8; i++) {
      base[i] = (byte) (label >>> (8 * i));
    }
    Xof xof = new Xof(base, "polyhe.test-seeds");
    return () -> {
      byte[] seed = new byte[Xof.SEED_BYTES];
      synchronized (xof) {
        xof.nextBytes(seed);
      }
      return seed;
    };
  }
}
