package io.polyhe.he.io.seal;

import java.util.Arrays;

/** A growable little-endian byte buffer. Not thread-safe. */
final class SealWriter {
  private byte[] bytes;
  private int size;

  /** A buffer sized for {@code capacity} bytes (a hint; it grows as needed). */
  SealWriter(long capacity) {
    bytes = new byte[(int) Math.max(16, Math.min(capacity, Integer.MAX_VALUE - 16))];
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      long grown = Math.max((long) size + more, 2L * bytes.length);
      if (grown > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("object too large for one byte array: " + grown + " bytes");
      }
      bytes = Arrays.copyOf(bytes, (int) grown);
    }
  }

  int size() {
    return size;
  }

  void u8(int v) {
    ensure(1);
    bytes[size++] = (byte) v;
  }

  void u16(int v) {
    u8(v);
    u8(v >>> 8);
  }

  void u64(long v) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      bytes[size++] = (byte) (v >>> (8 * i));
    }
  }

  void f64(double v) {
    u64(Double.doubleToRawLongBits(v));
  }

  void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
  }

  void u64s(long[] values) {
    ensure(8 * values.length);
    for (long v : values) {
      for (int i = 0; i < 8; i++) {
        bytes[size++] = (byte) (v >>> (8 * i));
      }
    }
  }

  /** Overwrites the u64 at {@code offset} (for sizes known only at the end). */
  void putU64(int offset, long v) {
    for (int i = 0; i < 8; i++) {
      bytes[offset + i] = (byte) (v >>> (8 * i));
    }
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }
}
