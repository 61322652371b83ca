package io.polyhe.he.io;

import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.Xof;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import java.io.IOException;
import java.util.Arrays;

/**
 * The body shared by plaintexts, ciphertexts and public keys: a 16-byte prefix (level, number of
 * stored polynomials, form, moduli, reserved, scale), an optional seed, then the bit-packed limbs.
 * See the package documentation for the layout. Stateless.
 */
final class PolyCodec {
  /** Bytes before the optional seed. */
  static final int PREFIX_BYTES = 16;

  /** Form code of NTT (evaluation) representation, the only one defined. */
  static final int FORM_NTT = 0;

  /** Moduli code: limbs over {@code q_0..q_l}. */
  static final int MODULI_Q = 0;

  /** Moduli code: limbs over {@code q_0..q_l} followed by {@code p_0..p_{K-1}}. */
  static final int MODULI_QP = 1;

  /** What the body of an RNS object holds, after validation. */
  record Body(int level, double scale, int tag, byte[] seed, RnsPoly[] polys) {}

  /**
   * What a type demands of the body. {@code tagged} types use bytes 5..7 of the prefix as a u24
   * tag (the Galois element of a Galois key); for all others they are reserved and must be 0.
   */
  record Rules(int[] polyCounts, int moduli, int fixedLevel, double fixedScale, boolean tagged) {
    /** Any level, any finite scale {@code >= 1}, untagged. */
    static Rules of(int moduli, int... polyCounts) {
      return new Rules(polyCounts, moduli, -1, Double.NaN, false);
    }
  }

  /** Largest tag that fits bytes 5..7. */
  static final int MAX_TAG = (1 << 24) - 1;

  private PolyCodec() {}

  /** The primes of the limbs, in order, for {@code level} and a moduli code. */
  static long[] moduli(RlweParameters params, int level, int moduli) {
    long[] q = Arrays.copyOf(params.qPrimes(), level + 1);
    if (moduli == MODULI_Q) {
      return q;
    }
    long[] p = params.pPrimes();
    long[] all = Arrays.copyOf(q, q.length + p.length);
    System.arraycopy(p, 0, all, q.length, p.length);
    return all;
  }

  /** Bytes of one polynomial: the sum of its packed limbs. */
  static long polyBytes(int n, long[] moduli) {
    long total = 0;
    for (long m : moduli) {
      total += BitPacker.limbBytes(n, BitPacker.bitsOf(m));
    }
    return total;
  }

  /** Body length for {@code stored} polynomials over {@code moduli}, with or without a seed. */
  static long bodyBytes(int n, long[] moduli, int stored, boolean seeded) {
    return PREFIX_BYTES + (seeded ? Xof.SEED_BYTES : 0) + stored * polyBytes(n, moduli);
  }

  static long bodyBytes(RlweParameters params, int level, int moduli, int stored, boolean seeded) {
    return bodyBytes(params.n(), moduli(params, level, moduli), stored, seeded);
  }

  /** {@code q_i} or {@code p_j} for limb {@code i} of a polynomial at {@code level}. */
  private static String primeName(int limb, int level) {
    return limb <= level ? "q_" + limb : "p_" + (limb - level - 1);
  }

  /**
   * Writes header and body. {@code polys} are the stored polynomials, in NTT form over the primes
   * that {@code level} and {@code moduli} name.
   *
   * @throws IllegalArgumentException if a polynomial is over other primes, not in NTT form, or holds
   *     a residue that is not reduced (nothing valid would be written)
   */
  static void write(
      Output out, ObjectType type, RlweParameters params, int level, int moduli, double scale,
      byte[] seed, RnsPoly[] polys) throws IOException {
    write(out, type, params, level, moduli, scale, 0, seed, polys);
  }

  /** As above, with a u24 {@code tag} in bytes 5..7 of the body (tagged types only). */
  static void write(
      Output out, ObjectType type, RlweParameters params, int level, int moduli, double scale,
      int tag, byte[] seed, RnsPoly[] polys) throws IOException {
    if (tag < 0 || tag > MAX_TAG) {
      throw new IllegalArgumentException("tag " + tag + " does not fit 24 bits");
    }
    long[] primes = moduli(params, level, moduli);
    for (RnsPoly p : polys) {
      checkBasis(params, primes, p);
    }
    int n = params.n();
    int flags = seed == null ? 0 : Header.FLAG_SEEDED;
    long body = bodyBytes(n, primes, polys.length, seed != null);
    new Header(HeFormat.VERSION, type, flags, params.hash(), body).writeTo(out);
    out.u16(level);
    out.u8(polys.length);
    out.u8(FORM_NTT);
    out.u8(moduli);
    out.u8(tag & 0xff);
    out.u16(tag >>> 8);
    out.f64(scale);
    if (seed != null) {
      out.bytes(seed);
    }
    for (int p = 0; p < polys.length; p++) {
      for (int i = 0; i < primes.length; i++) {
        int bits = BitPacker.bitsOf(primes[i]);
        int off = out.reserve(BitPacker.limbBytes(n, bits));
        int bad = BitPacker.pack(polys[p].limb(i), bits, primes[i], out.buffer(), off);
        if (bad != BitPacker.OK) {
          throw new IllegalArgumentException(
              "cannot serialise: coefficient " + bad + " of limb " + i + " (" + primeName(i, level)
                  + ") of polynomial " + p + " is not reduced modulo " + primes[i]);
        }
      }
    }
  }

  private static void checkBasis(RlweParameters params, long[] primes, RnsPoly p) {
    RnsBasis basis = p.basis();
    boolean ok = p.isNtt() && basis.size() == primes.length && basis.logN() == params.logN();
    for (int i = 0; ok && i < primes.length; i++) {
      ok = basis.modulus(i).value() == primes[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "cannot serialise: polynomial " + p + " is not in NTT form over the expected "
              + primes.length + " primes of parameters " + params.shortHash());
    }
  }

  /**
   * Reads the body of an RNS object whose header has been read and checked (type, flags, hash).
   *
   * @throws HeFormatException on the first violation
   */
  static Body read(Input in, Header header, RlweContext context, Rules rules) throws IOException {
    RlweParameters params = context.parameters();
    ObjectType type = header.type();
    int level = in.u16();
    if (level > params.maxLevel()) {
      throw new HeFormatException(
          "level " + level + " out of range [0, " + params.maxLevel() + "] of these parameters");
    }
    if (rules.fixedLevel() >= 0 && level != rules.fixedLevel()) {
      throw new HeFormatException(
          type + " must be at level " + rules.fixedLevel() + ", found level " + level);
    }
    int stored = in.u8();
    if (Arrays.stream(rules.polyCounts()).noneMatch(c -> c == stored)) {
      throw new HeFormatException(
          "bad polynomial count " + stored + " for " + (header.seeded() ? "a seeded " : "a ")
              + type + " (allowed: " + Arrays.toString(rules.polyCounts()) + ")");
    }
    int form = in.u8();
    if (form != FORM_NTT) {
      throw new HeFormatException("unsupported polynomial form " + form + " (only 0 = NTT)");
    }
    int moduli = in.u8();
    if (moduli != rules.moduli()) {
      throw new HeFormatException(
          type + " must have moduli code " + rules.moduli() + " ("
              + (rules.moduli() == MODULI_Q ? "q_0..q_l" : "q_0..q_l, p_0..p_{K-1}") + "), found "
              + moduli);
    }
    int tag = in.u8() | (in.u16() << 8);
    if (!rules.tagged() && tag != 0) {
      throw new HeFormatException("reserved body bytes 5..7 must be 0");
    }
    double scale = in.f64();
    if (Double.isNaN(rules.fixedScale())) {
      if (!io.polyhe.he.rlwe.Ciphertext.isValidScale(scale)) {
        throw new HeFormatException("scale must be finite and >= 1, got " + scale);
      }
    } else if (Double.compare(scale, rules.fixedScale()) != 0) {
      throw new HeFormatException(type + " scale must be " + rules.fixedScale() + ", got " + scale);
    }
    long[] primes = moduli(params, level, moduli);
    int n = params.n();
    long expected = bodyBytes(n, primes, stored, header.seeded());
    header.checkBodyLength(
        expected, "level " + level + ", " + primes.length + " limbs, " + stored + " polynomial(s)"
            + (header.seeded() ? " and a seed" : ""));
    in.expectRemaining(expected - PREFIX_BYTES);
    byte[] seed = header.seeded() ? in.bytes(Xof.SEED_BYTES) : null;
    RnsBasis basis =
        moduli == MODULI_Q ? context.basisAtLevel(level) : context.basisQPAtLevel(level);
    RnsPoly[] polys = new RnsPoly[stored];
    for (int p = 0; p < stored; p++) {
      long[][] limbs = new long[primes.length][n];
      for (int i = 0; i < primes.length; i++) {
        int bits = BitPacker.bitsOf(primes[i]);
        int off = in.take(BitPacker.limbBytes(n, bits));
        int bad = BitPacker.unpack(in.buffer(), off, limbs[i], bits, primes[i]);
        if (bad == BitPacker.BAD_PADDING) {
          throw new HeFormatException(
              "nonzero padding bits after limb " + i + " (" + primeName(i, level)
                  + ") of polynomial " + p);
        }
        if (bad != BitPacker.OK) {
          throw new HeFormatException(
              "coefficient " + bad + " of limb " + i + " of polynomial " + p + " is "
                  + limbs[i][bad] + ", not below " + primeName(i, level) + " = " + primes[i]);
        }
      }
      polys[p] = new RnsPoly(basis, limbs, true);
    }
    return new Body(level, scale, tag, seed, polys);
  }
}
