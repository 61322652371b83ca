package io.polyhe.he.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Packs a limb of {@code n} values of {@code b} bits each into {@code ceil(n·b/64)} little-endian
 * 64-bit words: bit {@code j} of value {@code k} is bit {@code t = k·b + j} of the stream, and bit
 * {@code t} of the stream is bit {@code t mod 8} of byte {@code t / 8} (equivalently bit {@code t mod
 * 64} of little-endian word {@code t / 64}). Bits past {@code n·b} in the last word are padding and
 * must be zero. Stateless and thread-safe.
 */
final class BitPacker {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Returned by {@link #unpack} when all values are in range but padding bits are set. */
  static final int BAD_PADDING = Integer.MIN_VALUE;

  /** Returned by {@link #pack} and {@link #unpack} on success. */
  static final int OK = -1;

  private BitPacker() {}

  /** Bytes taken by a packed limb: {@code 8·ceil(n·bits/64)}. */
  static int limbBytes(int n, int bits) {
    checkBits(bits);
    long words = ((long) n * bits + 63) >>> 6;
    if (words > (Integer.MAX_VALUE >>> 3)) {
      throw new IllegalArgumentException("limb of " + n + " × " + bits + " bits is too large");
    }
    return (int) (words << 3);
  }

  /** Bit length of {@code q}: the number of bits each residue modulo {@code q} is packed into. */
  static int bitsOf(long q) {
    return 64 - Long.numberOfLeadingZeros(q);
  }

  /**
   * Packs {@code values} into {@code dst} at {@code offset} ({@link #limbBytes} bytes, which the
   * caller has zeroed or will overwrite entirely: every word is written).
   *
   * @param bound every value must lie in {@code [0, bound)}, and {@code bound <= 2^bits}
   * @return {@link #OK}, or the index of the first value outside {@code [0, bound)} (then the output
   *     is incomplete)
   */
  static int pack(long[] values, int bits, long bound, byte[] dst, int offset) {
    checkBits(bits);
    long acc = 0;
    int fill = 0;
    int pos = offset;
    for (int k = 0; k < values.length; k++) {
      long v = values[k];
      if (Long.compareUnsigned(v, bound) >= 0) {
        return k;
      }
      acc |= v << fill;
      fill += bits;
      if (fill >= 64) {
        LONG_LE.set(dst, pos, acc);
        pos += 8;
        fill -= 64;
        acc = fill == 0 ? 0 : v >>> (bits - fill);
      }
    }
    if (fill > 0) {
      LONG_LE.set(dst, pos, acc);
    }
    return OK;
  }

  /**
   * Unpacks {@code dst.length} values from {@code src} at {@code offset}.
   *
   * @param bound every value must be below it ({@code bound <= 2^bits})
   * @return {@link #OK}; or the index of the first value {@code >= bound}, in which case that raw
   *     value is in {@code dst} at that index and later values are not read; or {@link #BAD_PADDING}
   *     if every value is in range but a padding bit is set
   */
  static int unpack(byte[] src, int offset, long[] dst, int bits, long bound) {
    checkBits(bits);
    long mask = (1L << bits) - 1;
    long acc = 0;
    int avail = 0;
    int pos = offset;
    for (int k = 0; k < dst.length; k++) {
      long v;
      if (avail >= bits) {
        v = acc & mask;
        acc >>>= bits;
        avail -= bits;
      } else {
        long w = (long) LONG_LE.get(src, pos);
        pos += 8;
        v = (acc | (w << avail)) & mask;
        int used = bits - avail;
        acc = w >>> used;
        avail = 64 - used;
      }
      dst[k] = v;
      if (v >= bound) {
        return k;
      }
    }
    return acc == 0 ? OK : BAD_PADDING;
  }

  private static void checkBits(int bits) {
    if (bits < 1 || bits > 63) {
      throw new IllegalArgumentException("bits per value must be in [1, 63], got " + bits);
    }
  }
}
