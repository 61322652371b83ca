package io.polyhe.he.io.seal;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;

/**
 * SEAL's uniform polynomial from a seeded stream: first {@code 8·k·N} bytes are read at once and
 * taken as little-endian u64 words, limb by limb (prime {@code q_j} owns words {@code j·N ..
 * j·N+N-1}); a word at or above {@code 2^64 - 1 - ((2^64 - 1) mod q_j) - 1} is rejected and
 * replaced by the next 8 bytes of the stream, in order; each kept word is reduced mod {@code q_j}.
 * The result is read as NTT-form data, as SEAL does. Stateless.
 */
final class SealUniform {
  private SealUniform() {}

  static RnsPoly sample(SealPrng prng, RnsBasis basis) {
    int n = basis.n();
    int k = basis.size();
    byte[] bulk = new byte[8 * n * k];
    prng.nextBytes(bulk, 0, bulk.length);
    long[][] limbs = new long[k][n];
    for (int j = 0; j < k; j++) {
      long q = basis.modulus(j).value();
      long maxMultiple = -1L - Long.remainderUnsigned(-1L, q) - 1;
      long[] limb = limbs[j];
      for (int c = 0; c < n; c++) {
        long r = Blake2b.le64(bulk, 8 * (j * n + c));
        while (Long.compareUnsigned(r, maxMultiple) >= 0) {
          r = prng.nextLong();
        }
        limb[c] = Long.remainderUnsigned(r, q);
      }
    }
    return new RnsPoly(basis, limbs, true);
  }
}
