package io.polyhe.he.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Little-endian reading from a byte array or a stream, with truncation reported as {@link
 * HeFormatException}. A stream is read exactly as far as the object goes (no read-ahead), so objects
 * can follow each other in one stream. Not thread-safe; one per read.
 */
abstract sealed class Input permits Input.OfArray, Input.OfStream {
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Bytes consumed so far. */
  long position;

  static Input of(byte[] bytes) {
    return new OfArray(bytes);
  }

  static Input of(InputStream in) {
    return new OfStream(in);
  }

  /**
   * Consumes the next {@code len} bytes and returns their offset in {@link #buffer()}; they stay
   * valid until the next call.
   *
   * @throws HeFormatException if the input ends first
   */
  abstract int take(int len) throws IOException;

  /** The array the last {@link #take} refers to. */
  abstract byte[] buffer();

  /**
   * For array input: throws unless exactly {@code len} bytes are left (truncated or trailing
   * bytes). Streams cannot know and skip the check.
   */
  abstract void expectRemaining(long len);

  /** Overwrites internal scratch space (after reading secrets). */
  abstract void wipe();

  final int u8() throws IOException {
    int off = take(1);
    return buffer()[off] & 0xff;
  }

  final int u16() throws IOException {
    int off = take(2);
    return (short) SHORT_LE.get(buffer(), off) & 0xffff;
  }

  final long u32() throws IOException {
    int off = take(4);
    return (int) INT_LE.get(buffer(), off) & 0xffffffffL;
  }

  final long u64() throws IOException {
    int off = take(8);
    return (long) LONG_LE.get(buffer(), off);
  }

  final double f64() throws IOException {
    return Double.longBitsToDouble(u64());
  }

  final byte[] bytes(int len) throws IOException {
    int off = take(len);
    return Arrays.copyOfRange(buffer(), off, off + len);
  }

  final HeFormatException truncated(int len, long available) {
    return new HeFormatException(
        "truncated input: needed " + len + " bytes at offset " + position + ", only " + available
            + " left");
  }

  static final class OfArray extends Input {
    private final byte[] bytes;

    OfArray(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    int take(int len) {
      long available = bytes.length - position;
      if (len > available) {
        throw truncated(len, available);
      }
      int off = (int) position;
      position += len;
      return off;
    }

    @Override
    byte[] buffer() {
      return bytes;
    }

    @Override
    void expectRemaining(long len) {
      long available = bytes.length - position;
      if (available < len) {
        throw new HeFormatException(
            "truncated input: the object needs " + (position + len) + " bytes, got " + bytes.length);
      }
      if (available > len) {
        throw new HeFormatException(
            (available - len) + " trailing bytes after the object (" + (position + len) + " bytes)");
      }
    }

    @Override
    void wipe() {
      // The caller owns the array.
    }
  }

  static final class OfStream extends Input {
    private final InputStream in;
    private byte[] scratch = new byte[64];

    OfStream(InputStream in) {
      this.in = in;
    }

    @Override
    int take(int len) throws IOException {
      if (len > scratch.length) {
        Arrays.fill(scratch, (byte) 0);
        scratch = new byte[len];
      }
      int got = in.readNBytes(scratch, 0, len);
      if (got < len) {
        position += got;
        throw truncated(len - got, 0);
      }
      position += len;
      return 0;
    }

    @Override
    byte[] buffer() {
      return scratch;
    }

    @Override
    void expectRemaining(long len) {}

    @Override
    void wipe() {
      Arrays.fill(scratch, (byte) 0);
    }
  }
}
