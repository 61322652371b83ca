package io.polyhe.he.io.seal;

import java.util.Arrays;

/**
 * BLAKE2b (RFC 7693) with a full 64-byte parameter block, which BLAKE2X's node parameters need
 * and which {@code org.bouncycastle}'s digest does not expose. Written from the RFC; checked
 * against Bouncy Castle's BLAKE2b for plain and keyed hashing in the tests. Not thread-safe; one
 * instance hashes one message.
 */
final class Blake2b {
  static final int BLOCK_BYTES = 128;
  static final int OUT_BYTES = 64;

  private static final long[] IV = {
    0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
    0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L
  };

  private static final byte[][] SIGMA = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}
  };

  private final long[] h = new long[8];
  private final byte[] buffer = new byte[BLOCK_BYTES];
  private final long[] m = new long[16];
  private final long[] v = new long[16];
  private int buffered;
  private long counterLow;
  private long counterHigh;
  private final int digestLength;

  /**
   * Starts a hash from a parameter block (64 bytes: digest length, key length, fanout, depth,
   * leaf length, node offset, XOF length, node depth, inner length, reserved, salt, personal),
   * then absorbs the key, zero-padded to one block, if {@code key} is not empty.
   */
  Blake2b(byte[] parameterBlock, byte[] key) {
    if (parameterBlock.length != 64) {
      throw new IllegalArgumentException("BLAKE2b parameter block must be 64 bytes");
    }
    digestLength = parameterBlock[0] & 0xff;
    if (digestLength < 1 || digestLength > OUT_BYTES || key.length > OUT_BYTES) {
      throw new IllegalArgumentException("BLAKE2b digest length must be in [1, 64] and key at most 64 bytes");
    }
    for (int i = 0; i < 8; i++) {
      h[i] = IV[i] ^ le64(parameterBlock, 8 * i);
    }
    if (key.length > 0) {
      byte[] block = new byte[BLOCK_BYTES];
      System.arraycopy(key, 0, block, 0, key.length);
      update(block, 0, BLOCK_BYTES);
      Arrays.fill(block, (byte) 0);
    }
  }

  /** The parameter block of a plain sequential hash: digest length, key length, fanout 1, depth 1. */
  static byte[] sequentialParameters(int digestLength, int keyLength) {
    byte[] p = new byte[64];
    p[0] = (byte) digestLength;
    p[1] = (byte) keyLength;
    p[2] = 1;
    p[3] = 1;
    return p;
  }

  /** Unkeyed BLAKE2b with a {@code digestLength}-byte output. */
  static byte[] hash(byte[] message, int digestLength) {
    Blake2b b = new Blake2b(sequentialParameters(digestLength, 0), new byte[0]);
    b.update(message, 0, message.length);
    return b.digest();
  }

  void update(byte[] in, int offset, int length) {
    while (length > 0) {
      if (buffered == BLOCK_BYTES) {
        // Compress a full block only once more input follows: the last block is compressed
        // in digest() with the final flag.
        increment(BLOCK_BYTES);
        compress(buffer, 0, false);
        buffered = 0;
      }
      int take = Math.min(length, BLOCK_BYTES - buffered);
      System.arraycopy(in, offset, buffer, buffered, take);
      buffered += take;
      offset += take;
      length -= take;
    }
  }

  byte[] digest() {
    increment(buffered);
    Arrays.fill(buffer, buffered, BLOCK_BYTES, (byte) 0);
    compress(buffer, 0, true);
    byte[] out = new byte[digestLength];
    for (int i = 0; i < digestLength; i++) {
      out[i] = (byte) (h[i >>> 3] >>> (8 * (i & 7)));
    }
    Arrays.fill(buffer, (byte) 0);
    return out;
  }

  private void increment(int bytes) {
    long before = counterLow;
    counterLow += bytes;
    if (Long.compareUnsigned(counterLow, before) < 0) {
      counterHigh++;
    }
  }

  private void compress(byte[] block, int offset, boolean last) {
    for (int i = 0; i < 16; i++) {
      m[i] = le64(block, offset + 8 * i);
    }
    System.arraycopy(h, 0, v, 0, 8);
    System.arraycopy(IV, 0, v, 8, 8);
    v[12] ^= counterLow;
    v[13] ^= counterHigh;
    if (last) {
      v[14] = ~v[14];
    }
    for (int round = 0; round < 12; round++) {
      byte[] s = SIGMA[round % 10];
      mix(0, 4, 8, 12, m[s[0]], m[s[1]]);
      mix(1, 5, 9, 13, m[s[2]], m[s[3]]);
      mix(2, 6, 10, 14, m[s[4]], m[s[5]]);
      mix(3, 7, 11, 15, m[s[6]], m[s[7]]);
      mix(0, 5, 10, 15, m[s[8]], m[s[9]]);
      mix(1, 6, 11, 12, m[s[10]], m[s[11]]);
      mix(2, 7, 8, 13, m[s[12]], m[s[13]]);
      mix(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) {
      h[i] ^= v[i] ^ v[i + 8];
    }
  }

  private void mix(int a, int b, int c, int d, long x, long y) {
    v[a] = v[a] + v[b] + x;
    v[d] = Long.rotateRight(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = Long.rotateRight(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = Long.rotateRight(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = Long.rotateRight(v[b] ^ v[c], 63);
  }

  static long le64(byte[] b, int offset) {
    long r = 0;
    for (int i = 7; i >= 0; i--) {
      r = (r << 8) | (b[offset + i] & 0xff);
    }
    return r;
  }
}
