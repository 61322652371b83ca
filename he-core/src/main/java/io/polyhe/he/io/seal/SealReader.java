package io.polyhe.he.io.seal;

import io.polyhe.he.io.HeFormatException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A bounds-checked little-endian cursor over a byte array. Every read names the field it is for,
 * so a truncated input says where it ended. Not thread-safe.
 */
final class SealReader {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORTS =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] bytes;
  private final int end;
  private int position;

  SealReader(byte[] bytes, int from, int to) {
    this.bytes = bytes;
    this.position = from;
    this.end = to;
  }

  SealReader(byte[] bytes) {
    this(bytes, 0, bytes.length);
  }

  int position() {
    return position;
  }

  long remaining() {
    return end - position;
  }

  private void need(long count, String field) {
    if (count > end - position) {
      throw new HeFormatException("SEAL data ends inside " + field + ": it needs " + count
          + " more bytes at offset " + position + ", " + (end - position) + " remain");
    }
  }

  int u8(String field) {
    need(1, field);
    return bytes[position++] & 0xff;
  }

  int u16(String field) {
    need(2, field);
    int v = Short.toUnsignedInt((short) SHORTS.get(bytes, position));
    position += 2;
    return v;
  }

  long u64(String field) {
    need(8, field);
    long v = (long) LONGS.get(bytes, position);
    position += 8;
    return v;
  }

  double f64(String field) {
    return Double.longBitsToDouble(u64(field));
  }

  byte[] bytes(int count, String field) {
    need(count, field);
    byte[] out = new byte[count];
    System.arraycopy(bytes, position, out, 0, count);
    position += count;
    return out;
  }

  /** Reads {@code count} u64 words into {@code out[offset..]}; {@code count} checked first. */
  void u64s(long[] out, int offset, int count, String field) {
    need(8L * count, field);
    for (int i = 0; i < count; i++) {
      out[offset + i] = (long) LONGS.get(bytes, position);
      position += 8;
    }
  }

  /** Throws unless every byte was consumed. */
  void expectEnd(String what) {
    if (position != end) {
      throw new HeFormatException(what + ": " + (end - position) + " unexpected bytes after the object");
    }
  }
}
