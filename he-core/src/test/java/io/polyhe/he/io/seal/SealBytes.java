package io.polyhe.he.io.seal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Byte surgery on SEAL encodings for tests: edits, and the seeded form of a ciphertext. */
final class SealBytes {
  private SealBytes() {}

  static byte[] with(byte[] bytes, int offset, byte value) {
    byte[] out = bytes.clone();
    out[offset] = value;
    return out;
  }

  static byte[] withU64(byte[] bytes, int offset, long value) {
    byte[] out = bytes.clone();
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
    return out;
  }

  /**
   * The seeded form SEAL writes of an uncompressed 2-part ciphertext: c_0 only in the data array,
   * then a PRNG record (header, type, 64-byte seed) standing for c_1.
   */
  static byte[] seeded(byte[] full, int prngType, byte[] seed) {
    ByteBuffer in = ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN);
    long count = in.getLong(89 + 16);
    long half = count / 2;
    int dataStart = 89;
    byte[] head = Arrays.copyOf(full, dataStart);
    ByteBuffer out = ByteBuffer.allocate((int) (dataStart + 24 + 8 * half + 81)).order(ByteOrder.LITTLE_ENDIAN);
    out.put(head);
    out.putShort((short) 0xA15E).put((byte) 16).put((byte) 4).put((byte) 1).put((byte) 0).putShort((short) 0)
        .putLong(24 + 8 * half);
    out.putLong(half);
    out.put(full, dataStart + 24, (int) (8 * half));
    out.putShort((short) 0xA15E).put((byte) 16).put((byte) 4).put((byte) 1).put((byte) 0).putShort((short) 0).putLong(81);
    out.put((byte) prngType).put(seed);
    out.putLong(8, out.capacity());
    return out.array();
  }
}
