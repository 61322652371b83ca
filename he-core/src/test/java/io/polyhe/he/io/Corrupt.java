package io.polyhe.he.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.RlweParameters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;

/**
 * Byte surgery on serialised objects, written from the layout in the package documentation
 * (independently of the format code), and the assertion that a read fails as it should.
 */
final class Corrupt {
  static final int LEVEL = 48;
  static final int COUNT = 50;
  static final int FORM = 51;
  static final int MODULI = 52;
  static final int SCALE = 56;
  static final int SEED = 64;
  static final int BODY_LENGTH = 40;

  private Corrupt() {}

  static byte[] u8(byte[] bytes, int offset, int value) {
    byte[] b = bytes.clone();
    b[offset] = (byte) value;
    return b;
  }

  static byte[] u16(byte[] bytes, int offset, int value) {
    byte[] b = bytes.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) value);
    return b;
  }

  static byte[] u64(byte[] bytes, int offset, long value) {
    byte[] b = bytes.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
    return b;
  }

  static long readU64(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
  }

  static byte[] f64(byte[] bytes, int offset, double value) {
    return u64(bytes, offset, Double.doubleToRawLongBits(value));
  }

  static byte[] append(byte[] bytes, int extra) {
    return Arrays.copyOf(bytes, bytes.length + extra);
  }

  static int bits(long q) {
    return 64 - Long.numberOfLeadingZeros(q);
  }

  /** Bytes of a packed limb: whole 64-bit words. */
  static int limbBytes(int n, long q) {
    return 8 * (int) (((long) n * bits(q) + 63) / 64);
  }

  /** The primes of a polynomial at {@code level}, with the special primes if {@code qp}. */
  static long[] primes(RlweParameters params, int level, boolean qp) {
    long[] q = Arrays.copyOf(params.qPrimes(), level + 1);
    if (!qp) {
      return q;
    }
    long[] all = Arrays.copyOf(q, q.length + params.pCount());
    System.arraycopy(params.pPrimes(), 0, all, q.length, params.pCount());
    return all;
  }

  /** Offset of limb {@code limb} of stored polynomial {@code poly} in a polynomial object. */
  static int limbOffset(long[] primes, int n, boolean seeded, int poly, int limb) {
    int polyBytes = 0;
    for (long q : primes) {
      polyBytes += limbBytes(n, q);
    }
    int off = 64 + (seeded ? 32 : 0) + poly * polyBytes;
    for (int i = 0; i < limb; i++) {
      off += limbBytes(n, primes[i]);
    }
    return off;
  }

  /** Sets packed value {@code index} ({@code bits} wide) of the limb at {@code limbOffset}. */
  static byte[] packed(byte[] bytes, int limbOffset, int bits, int index, long value) {
    byte[] b = bytes.clone();
    for (int j = 0; j < bits; j++) {
      long t = (long) index * bits + j;
      int at = limbOffset + (int) (t / 8);
      int mask = 1 << (t % 8);
      b[at] = (byte) (((value >>> j) & 1) != 0 ? b[at] | mask : b[at] & ~mask);
    }
    return b;
  }

  /** Asserts that {@code read} throws {@link HeFormatException} with {@code fragment}. */
  static HeFormatException rejects(String fragment, Executable read) {
    HeFormatException e = assertThrows(HeFormatException.class, read);
    assertTrue(
        e.getMessage().contains(fragment),
        () -> "expected \"" + fragment + "\" in: " + e.getMessage());
    return e;
  }
}
