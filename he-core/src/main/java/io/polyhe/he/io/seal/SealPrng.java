package io.polyhe.he.io.seal;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHAKEDigest;

/**
 * SEAL's seeded uniform byte stream: blocks of 4096 bytes, block {@code i} (a 64-bit counter from
 * 0) being
 *
 * <ul>
 *   <li>{@link PrngType#BLAKE2XB}: BLAKE2Xb keyed with the 64-byte seed, input the counter as 8
 *       little-endian bytes, output length 4096;
 *   <li>{@link PrngType#SHAKE256}: SHAKE-256 of the seed followed by the counter (8 little-endian
 *       bytes), 4096 bytes squeezed.
 * </ul>
 *
 * The stream is the concatenation of the blocks; reads take from it in order. Not thread-safe.
 */
final class SealPrng {
  static final int SEED_BYTES = 64;
  static final int BLOCK_BYTES = 4096;

  private final PrngType type;
  private final byte[] seed;
  private final byte[] block = new byte[BLOCK_BYTES];
  private int head = BLOCK_BYTES;
  private long counter;

  SealPrng(PrngType type, byte[] seed) {
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("SEAL PRNG seed must be 64 bytes, got " + seed.length);
    }
    this.type = type;
    this.seed = seed.clone();
  }

  void nextBytes(byte[] out, int offset, int length) {
    while (length > 0) {
      if (head == BLOCK_BYTES) {
        refill();
      }
      int take = Math.min(length, BLOCK_BYTES - head);
      System.arraycopy(block, head, out, offset, take);
      head += take;
      offset += take;
      length -= take;
    }
  }

  long nextLong() {
    byte[] b = new byte[8];
    nextBytes(b, 0, 8);
    return Blake2b.le64(b, 0);
  }

  private void refill() {
    byte[] count = new byte[8];
    for (int i = 0; i < 8; i++) {
      count[i] = (byte) (counter >>> (8 * i));
    }
    switch (type) {
      case BLAKE2XB -> blake2xb(block, count, seed);
      case SHAKE256 -> {
        SHAKEDigest shake = new SHAKEDigest(256);
        shake.update(seed, 0, seed.length);
        shake.update(count, 0, count.length);
        shake.doFinal(block, 0, BLOCK_BYTES);
      }
    }
    counter++;
    head = 0;
  }

  /**
   * BLAKE2Xb: a root BLAKE2b (digest 64, fanout 1, depth 1, XOF length = {@code out.length},
   * keyed) of {@code input}, then output block {@code i} is BLAKE2b of the root with digest
   * length {@code min(64, remaining)}, fanout 0, depth 0, leaf length 64, node offset i, inner
   * length 64, the same XOF length and no key.
   */
  static void blake2xb(byte[] out, byte[] input, byte[] key) {
    int length = out.length;
    byte[] rootParameters = Blake2b.sequentialParameters(Blake2b.OUT_BYTES, key.length);
    putU32(rootParameters, 12, length);
    Blake2b root = new Blake2b(rootParameters, key);
    root.update(input, 0, input.length);
    byte[] rootHash = root.digest();
    int done = 0;
    for (int i = 0; done < length; i++) {
      int size = Math.min(Blake2b.OUT_BYTES, length - done);
      byte[] p = new byte[64];
      p[0] = (byte) size;
      putU32(p, 4, Blake2b.OUT_BYTES); // leaf length
      putU32(p, 8, i); // node offset
      putU32(p, 12, length); // XOF length
      p[17] = (byte) Blake2b.OUT_BYTES; // inner length
      Blake2b node = new Blake2b(p, new byte[0]);
      node.update(rootHash, 0, rootHash.length);
      System.arraycopy(node.digest(), 0, out, done, size);
      done += size;
    }
    Arrays.fill(rootHash, (byte) 0);
  }

  private static void putU32(byte[] b, int offset, int v) {
    for (int i = 0; i < 4; i++) {
      b[offset + i] = (byte) (v >>> (8 * i));
    }
  }
}
