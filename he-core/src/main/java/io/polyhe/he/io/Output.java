package io.polyhe.he.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Little-endian writing into an exactly sized array or through a stream (buffered up to the size of
 * the largest region asked for, e.g. one limb). Not thread-safe; one per write.
 */
abstract sealed class Output permits Output.OfArray, Output.OfStream {
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static OfArray ofSize(long size) {
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "object of " + size + " bytes is too large for a byte array; use the stream variant");
    }
    return new OfArray((int) size);
  }

  static Output of(OutputStream out) {
    return new OfStream(out);
  }

  /**
   * Reserves the next {@code len} bytes, zeroed, and returns their offset in {@link #buffer()}; the
   * caller fills them before the next call.
   */
  abstract int reserve(int len) throws IOException;

  abstract byte[] buffer();

  /** Writes out anything pending; checks that an array was filled exactly. */
  abstract void finish() throws IOException;

  /** Overwrites internal scratch space (after writing secrets); the array result is kept. */
  abstract void wipe();

  final void u8(int v) throws IOException {
    int off = reserve(1);
    buffer()[off] = (byte) v;
  }

  final void u16(int v) throws IOException {
    int off = reserve(2);
    SHORT_LE.set(buffer(), off, (short) v);
  }

  final void u32(long v) throws IOException {
    int off = reserve(4);
    INT_LE.set(buffer(), off, (int) v);
  }

  final void u64(long v) throws IOException {
    int off = reserve(8);
    LONG_LE.set(buffer(), off, v);
  }

  final void f64(double v) throws IOException {
    u64(Double.doubleToRawLongBits(v));
  }

  final void bytes(byte[] b) throws IOException {
    int off = reserve(b.length);
    System.arraycopy(b, 0, buffer(), off, b.length);
  }

  static final class OfArray extends Output {
    private final byte[] bytes;
    private int position;

    OfArray(int size) {
      this.bytes = new byte[size];
    }

    @Override
    int reserve(int len) {
      if (len > bytes.length - position) {
        throw new IllegalStateException("serialised size miscomputed: writing past " + bytes.length);
      }
      int off = position;
      position += len;
      return off;
    }

    @Override
    byte[] buffer() {
      return bytes;
    }

    @Override
    void wipe() {
      // The array is the result, owned by the caller.
    }

    @Override
    void finish() {
      if (position != bytes.length) {
        throw new IllegalStateException(
            "serialised size miscomputed: wrote " + position + " of " + bytes.length + " bytes");
      }
    }

    byte[] result() {
      return bytes;
    }
  }

  static final class OfStream extends Output {
    private final OutputStream out;
    private byte[] scratch = new byte[4096];
    private int fill;

    OfStream(OutputStream out) {
      this.out = out;
    }

    @Override
    int reserve(int len) throws IOException {
      if (len > scratch.length - fill) {
        flush();
        if (len > scratch.length) {
          Arrays.fill(scratch, (byte) 0);
          scratch = new byte[len];
        }
      }
      int off = fill;
      Arrays.fill(scratch, off, off + len, (byte) 0);
      fill += len;
      return off;
    }

    private void flush() throws IOException {
      out.write(scratch, 0, fill);
      fill = 0;
    }

    @Override
    byte[] buffer() {
      return scratch;
    }

    @Override
    void finish() throws IOException {
      flush();
    }

    @Override
    void wipe() {
      Arrays.fill(scratch, (byte) 0);
      fill = 0;
    }
  }
}
