package io.polyhe.he.io;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.Xof;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import java.io.IOException;

/**
 * The body shared by plaintexts, ciphertexts and public keys: a 16-byte prefix (level, number of
 * stored polynomials, form, reserved, scale), an optional seed, then the bit-packed limbs. See the
 * package documentation for the layout. Stateless.
 */
final class PolyCodec {
  /** Bytes before the optional seed. */
  static final int PREFIX_BYTES = 16;

  /** Form code of NTT (evaluation) representation, the only one defined. */
  static final int FORM_NTT = 0;

  /** What the body of an RNS object declares, after validation of the prefix. */
  record Body(int level, int storedPolys, double scale, byte[] seed, RnsPoly[] polys) {}

  private PolyCodec() {}

  /** Bytes of one polynomial at {@code level}: the sum of its packed limbs. */
  static long polyBytes(RlweParameters params, int level) {
    long total = 0;
    for (int i = 0; i <= level; i++) {
      total += BitPacker.limbBytes(params.n(), BitPacker.bitsOf(params.q(i)));
    }
    return total;
  }

  /** Body length for {@code stored} polynomials at {@code level}, with or without a seed. */
  static long bodyBytes(RlweParameters params, int level, int stored, boolean seeded) {
    return PREFIX_BYTES + (seeded ? Xof.SEED_BYTES : 0) + stored * polyBytes(params, level);
  }

  /**
   * Writes header and body. {@code polys} are the stored polynomials (NTT form, over the first
   * {@code level+1} primes of {@code params}).
   *
   * @throws IllegalArgumentException if a polynomial is not over those primes, not in NTT form, or
   *     holds a residue that is not reduced (nothing valid would be written)
   */
  static void write(
      Output out, ObjectType type, RlweParameters params, int level, double scale, byte[] seed,
      RnsPoly[] polys) throws IOException {
    for (RnsPoly p : polys) {
      checkBasis(params, level, p);
    }
    int flags = seed == null ? 0 : Header.FLAG_SEEDED;
    long body = bodyBytes(params, level, polys.length, seed != null);
    new Header(HeFormat.VERSION, type, flags, params.hash(), body).writeTo(out);
    out.u16(level);
    out.u8(polys.length);
    out.u8(FORM_NTT);
    out.u32(0);
    out.f64(scale);
    if (seed != null) {
      out.bytes(seed);
    }
    int n = params.n();
    for (int p = 0; p < polys.length; p++) {
      for (int i = 0; i <= level; i++) {
        long q = params.q(i);
        int bits = BitPacker.bitsOf(q);
        int off = out.reserve(BitPacker.limbBytes(n, bits));
        int bad = BitPacker.pack(polys[p].limb(i), bits, q, out.buffer(), off);
        if (bad != BitPacker.OK) {
          throw new IllegalArgumentException(
              "cannot serialise: coefficient " + bad + " of limb " + i + " of polynomial " + p
                  + " is not reduced modulo " + q);
        }
      }
    }
  }

  private static void checkBasis(RlweParameters params, int level, RnsPoly p) {
    RnsBasis basis = p.basis();
    boolean ok = p.isNtt() && basis.size() == level + 1 && basis.logN() == params.logN();
    for (int i = 0; ok && i <= level; i++) {
      ok = basis.modulus(i).value() == params.q(i);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "cannot serialise: polynomial " + p + " is not in NTT form over q_0..q_" + level
              + " of parameters " + params.shortHash());
    }
  }

  /**
   * Reads the body of an RNS object whose header has been read and checked (type, flags, hash).
   *
   * @param polyCounts stored-polynomial counts allowed for this type and seeding
   * @param fixedLevel the only allowed level, or -1 for any level of the context
   * @param fixedScale the only allowed scale, or NaN for any finite scale {@code >= 1}
   * @throws HeFormatException on the first violation
   */
  static Body read(
      Input in, Header header, RlweContext context, int[] polyCounts, int fixedLevel,
      double fixedScale) throws IOException {
    RlweParameters params = context.parameters();
    int level = in.u16();
    if (level > params.maxLevel()) {
      throw new HeFormatException(
          "level " + level + " out of range [0, " + params.maxLevel() + "] of these parameters");
    }
    if (fixedLevel >= 0 && level != fixedLevel) {
      throw new HeFormatException(
          header.type() + " must be at level " + fixedLevel + ", found level " + level);
    }
    int stored = in.u8();
    if (!contains(polyCounts, stored)) {
      throw new HeFormatException(
          "bad polynomial count " + stored + " for " + (header.seeded() ? "a seeded " : "a ")
              + header.type() + " (allowed: " + java.util.Arrays.toString(polyCounts) + ")");
    }
    int form = in.u8();
    if (form != FORM_NTT) {
      throw new HeFormatException("unsupported polynomial form " + form + " (only 0 = NTT)");
    }
    long reserved = in.u32();
    if (reserved != 0) {
      throw new HeFormatException("reserved body field is 0x" + Long.toHexString(reserved) + ", not 0");
    }
    double scale = in.f64();
    if (Double.isNaN(fixedScale)) {
      if (!(scale >= 1.0) || Double.isInfinite(scale)) {
        throw new HeFormatException("scale must be finite and >= 1, got " + scale);
      }
    } else if (Double.compare(scale, fixedScale) != 0) {
      throw new HeFormatException(header.type() + " scale must be " + fixedScale + ", got " + scale);
    }
    long expected = bodyBytes(params, level, stored, header.seeded());
    header.checkBodyLength(
        expected, "level " + level + ", " + stored + " polynomial(s)"
            + (header.seeded() ? " and a seed" : ""));
    in.expectRemaining(expected - PREFIX_BYTES);
    byte[] seed = header.seeded() ? in.bytes(Xof.SEED_BYTES) : null;
    RnsBasis basis = context.basisAtLevel(level);
    RnsPoly[] polys = new RnsPoly[stored];
    for (int p = 0; p < stored; p++) {
      long[][] limbs = new long[level + 1][params.n()];
      for (int i = 0; i <= level; i++) {
        long q = params.q(i);
        int bits = BitPacker.bitsOf(q);
        int off = in.take(BitPacker.limbBytes(params.n(), bits));
        int bad = BitPacker.unpack(in.buffer(), off, limbs[i], bits, q);
        if (bad == BitPacker.BAD_PADDING) {
          throw new HeFormatException(
              "nonzero padding bits after limb " + i + " of polynomial " + p);
        }
        if (bad != BitPacker.OK) {
          throw new HeFormatException(
              "coefficient " + bad + " of limb " + i + " of polynomial " + p + " is "
                  + limbs[i][bad] + ", not below q_" + i + " = " + q);
        }
      }
      polys[p] = new RnsPoly(basis, limbs, true);
    }
    return new Body(level, stored, scale, seed, polys);
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
