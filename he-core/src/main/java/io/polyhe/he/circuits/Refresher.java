package io.polyhe.he.circuits;

import io.polyhe.he.rlwe.Ciphertext;

/**
 * Turns a ciphertext that ran out of levels into a fresh one at the top level, same values (up to
 * noise), at a requested scale. Two kinds implement it: client-aided refresh (the secret-key
 * holder decrypts and re-encrypts; one round trip) and, later, non-interactive bootstrapping.
 * Implementations count what they did ({@link #stats()}); they are thread-safe.
 */
public interface Refresher {

  /**
   * A fresh encryption of {@code ct}'s values at the top level and {@code targetScale}.
   *
   * @throws IllegalArgumentException if {@code ct} belongs to other parameters or is not 2-part
   */
  default Ciphertext refresh(Ciphertext ct, double targetScale) {
    return refresh(ct, ct.parameters().maxLevel(), targetScale);
  }

  /**
   * A fresh encryption of {@code ct}'s values at {@code targetLevel} and {@code targetScale}: a
   * refresh to just the levels the next segment needs makes every operation of that segment
   * cheaper (fewer primes). Bootstrapping may only reach levels up to its own output level.
   *
   * @throws IllegalArgumentException if {@code ct} belongs to other parameters or is not 2-part,
   *     or the level is out of range
   */
  Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale);

  /** Refreshes done so far and the bytes they moved. */
  RefreshStats stats();

  /**
   * What refreshing cost so far.
   *
   * @param refreshes number of refreshed ciphertexts
   * @param bytesOut serialised bytes sent to the refresher (ciphertexts at their low level)
   * @param bytesBack serialised bytes returned (fresh, seeded ciphertexts)
   */
  record RefreshStats(long refreshes, long bytesOut, long bytesBack) {}
}
