package io.polyhe.he.ring;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHAKEDigest;

/**
 * A SHAKE-256 extendable-output stream keyed by a 32-byte seed and a domain label. The same seed
 * and label give the same stream on every machine, which is what makes seeded ciphertexts and keys
 * reproducible. Not thread-safe (one stream per sampling task).
 */
public final class Xof {
  /** Seed length in bytes. */
  public static final int SEED_BYTES = 32;

  private final SHAKEDigest shake = new SHAKEDigest(256);
  private final byte[] buffer = new byte[1088];
  private int position = buffer.length;

  /** Absorbs {@code seed || 0x00 || label} and starts squeezing. */
  public Xof(byte[] seed, String label) {
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("seed must be " + SEED_BYTES + " bytes, got " + seed.length);
    }
    shake.update(seed, 0, seed.length);
    shake.update((byte) 0);
    byte[] l = label.getBytes(StandardCharsets.UTF_8);
    shake.update(l, 0, l.length);
  }

  private void refill() {
    shake.doOutput(buffer, 0, buffer.length);
    position = 0;
  }

  /** Next byte, 0..255. */
  public int nextByte() {
    if (position == buffer.length) {
      refill();
    }
    return buffer[position++] & 0xff;
  }

  /** Next 64-bit word, little-endian. */
  public long nextLong() {
    if (buffer.length - position < 8) {
      // Keep the stream contiguous: take the remaining bytes one by one.
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= ((long) nextByte()) << (8 * i);
      }
      return v;
    }
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v |= ((long) (buffer[position + i] & 0xff)) << (8 * i);
    }
    position += 8;
    return v;
  }

  /** The next {@code count} (1..8) bytes as a little-endian unsigned integer. */
  public long nextLong(int count) {
    if (count < 1 || count > 8) {
      throw new IllegalArgumentException("byte count must be in [1, 8], got " + count);
    }
    if (buffer.length - position < count) {
      long v = 0;
      for (int i = 0; i < count; i++) {
        v |= ((long) nextByte()) << (8 * i);
      }
      return v;
    }
    long v = 0;
    for (int i = 0; i < count; i++) {
      v |= ((long) (buffer[position + i] & 0xff)) << (8 * i);
    }
    position += count;
    return v;
  }

  /** Fills {@code out} with the next bytes. */
  public void nextBytes(byte[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) nextByte();
    }
  }
}
