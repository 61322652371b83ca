package io.polyhe.he.io.seal;

import io.polyhe.he.rlwe.RlweParameters;
import java.util.HexFormat;

/**
 * SEAL's {@code parms_id}: the 32-byte unkeyed BLAKE2b digest of the little-endian u64 words
 * {@code scheme (2 for CKKS), N, the coefficient moduli in order, the plain modulus (0 for
 * CKKS)}. Every level of a SEAL context has its own: the key level holds all primes (the
 * ciphertext primes and, last, the special prime), the first data level drops the special prime,
 * and each lower level drops the last remaining ciphertext prime. Stateless.
 */
public final class SealParmsId {
  /** SEAL's {@code scheme_type::ckks}. */
  static final int SCHEME_CKKS = 2;

  private SealParmsId() {}

  /** The parms_id of SEAL parameters with ring degree {@code n} and coefficient moduli {@code moduli}. */
  public static byte[] of(int n, long[] moduli) {
    byte[] words = new byte[8 * (moduli.length + 3)];
    put(words, 0, SCHEME_CKKS);
    put(words, 1, n);
    for (int i = 0; i < moduli.length; i++) {
      put(words, 2 + i, moduli[i]);
    }
    put(words, moduli.length + 2, 0); // plain modulus
    return Blake2b.hash(words, 32);
  }

  /** The parms_id of ciphertexts at {@code level} (primes {@code q_0..q_level}). */
  public static byte[] ofLevel(RlweParameters params, int level) {
    if (level < 0 || level > params.maxLevel()) {
      throw new IllegalArgumentException("level " + level + " out of range [0, " + params.maxLevel() + "]");
    }
    return of(params.n(), java.util.Arrays.copyOf(params.qPrimes(), level + 1));
  }

  /**
   * The parms_id of the key level (all ciphertext primes, then the special primes), which keys
   * carry.
   */
  public static byte[] ofKeyLevel(RlweParameters params) {
    long[] q = params.qPrimes();
    long[] p = params.pPrimes();
    long[] all = java.util.Arrays.copyOf(q, q.length + p.length);
    System.arraycopy(p, 0, all, q.length, p.length);
    return of(params.n(), all);
  }

  /** Hex as SEAL prints a parms_id: its four u64 words, each as 16 hex digits, most significant first. */
  public static String toHex(byte[] parmsId) {
    StringBuilder s = new StringBuilder();
    for (int w = 0; w < 4; w++) {
      if (w > 0) {
        s.append(' ');
      }
      long v = Blake2b.le64(parmsId, 8 * w);
      s.append(HexFormat.of().toHexDigits(v));
    }
    return s.toString();
  }

  private static void put(byte[] b, int word, long v) {
    for (int i = 0; i < 8; i++) {
      b[8 * word + i] = (byte) (v >>> (8 * i));
    }
  }
}
