package io.polyhe.he.io;

import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.IOException;
import java.util.Arrays;

/**
 * Body of {@link ObjectType#SECRET_KEY}: an encoding byte, 7 reserved bytes, then the N ternary
 * coefficients packed at 2 bits each (code 0 → 0, 1 → +1, 2 → −1; 3 is invalid). Messages of the
 * exceptions thrown here name positions only, never values; temporary copies of the key are
 * overwritten after use. Stateless.
 */
final class SecretKeyCodec {
  static final int PREFIX_BYTES = 8;
  static final int ENCODING_TERNARY_2BIT = 0;
  private static final int BITS = 2;
  private static final int CODES = 3;

  private SecretKeyCodec() {}

  static long bodyBytes(RlweParameters params) {
    return PREFIX_BYTES + BitPacker.limbBytes(params.n(), BITS);
  }

  static void write(Output out, SecretKey key, SecretKeyAccess access) throws IOException {
    RlweParameters params = key.parameters();
    long[] codes = key.ternaryCoefficients(access);
    try {
      for (int k = 0; k < codes.length; k++) {
        codes[k] = codes[k] < 0 ? 2 : codes[k];
      }
      new Header(HeFormat.VERSION, ObjectType.SECRET_KEY, 0, params.hash(), bodyBytes(params))
          .writeTo(out);
      out.u8(ENCODING_TERNARY_2BIT);
      out.bytes(new byte[PREFIX_BYTES - 1]);
      int off = out.reserve(BitPacker.limbBytes(params.n(), BITS));
      if (BitPacker.pack(codes, BITS, CODES, out.buffer(), off) != BitPacker.OK) {
        throw new IllegalStateException("secret key holds a non-ternary coefficient");
      }
    } finally {
      Arrays.fill(codes, 0);
    }
  }

  static SecretKey read(Input in, RlweContext context, SecretKeyAccess access) throws IOException {
    RlweParameters params = context.parameters();
    Header header =
        Header.read(in, ObjectType.SECRET_KEY, params.hash(), "the context's parameters " + params.shortHash());
    int encoding = in.u8();
    if (encoding != ENCODING_TERNARY_2BIT) {
      throw new HeFormatException("unsupported secret key encoding " + encoding + " (only 0 = ternary)");
    }
    int off = in.take(PREFIX_BYTES - 1);
    for (int i = 0; i < PREFIX_BYTES - 1; i++) {
      if (in.buffer()[off + i] != 0) {
        throw new HeFormatException("reserved secret key fields must be 0");
      }
    }
    long expected = bodyBytes(params);
    header.checkBodyLength(expected, "a ternary secret key of N = " + params.n());
    in.expectRemaining(expected - PREFIX_BYTES);
    long[] coefficients = new long[params.n()];
    try {
      off = in.take(BitPacker.limbBytes(params.n(), BITS));
      int bad = BitPacker.unpack(in.buffer(), off, coefficients, BITS, CODES);
      if (bad == BitPacker.BAD_PADDING) {
        throw new HeFormatException("nonzero padding bits after the secret key coefficients");
      }
      if (bad != BitPacker.OK) {
        throw new HeFormatException(
            "secret key coefficient " + bad + " has an invalid 2-bit code (only 0, 1, 2 are defined)");
      }
      for (int k = 0; k < coefficients.length; k++) {
        coefficients[k] = coefficients[k] == 2 ? -1 : coefficients[k];
      }
      return SecretKey.fromTernary(context, coefficients, access);
    } finally {
      Arrays.fill(coefficients, 0);
      in.wipe();
    }
  }
}
