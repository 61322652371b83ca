package io.polyhe.he.io.seal;

import io.polyhe.he.io.HeFormatException;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.Profile;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import io.polyhe.he.rlwe.SwitchingKey;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Microsoft SEAL 4.x serialization of CKKS objects: {@code EncryptionParameters}, {@code
 * Ciphertext}, {@code PublicKey}, {@code RelinKeys}, {@code GaloisKeys} and {@code SecretKey},
 * byte-compatible with SEAL 4.1 (node-seal 7), compression {@link ComprMode#NONE} or {@link
 * ComprMode#ZSTD}. The layouts are described in the package documentation.
 *
 * <p>Objects belong to a context in the {@link Profile#SEAL} profile (parameters as {@link
 * #readParameters} returns them); every reader refuses another context. Reading validates
 * everything and stops at the first violation with a {@link HeFormatException} naming the field:
 * headers (magic, SEAL 4.x, compression mode, sizes that match the bytes), the {@code parms_id}
 * against the levels of the context, every count against what the context allows before anything
 * is allocated, every coefficient below its prime, and nothing after the object. Seeded objects
 * (SEAL's {@code *Serializable} keys and symmetric ciphertexts) are expanded exactly as SEAL does
 * ({@link PrngType}); writing always writes full polynomials, which SEAL reads as they are.
 * Stateless and thread-safe.
 */
public final class SealFormat {
  /** Largest ciphertext size read (polyhe's evaluator works on 2 and 3 parts). */
  public static final int MAX_CIPHERTEXT_SIZE = 3;

  private static final int MODULUS_BYTES = SealHeader.BYTES + 8;
  private static final int PRNG_INFO_BYTES = SealHeader.BYTES + 1 + SealPrng.SEED_BYTES;
  /** parms_id, is_ntt_form, size, N, coeff_modulus_size, scale, correction_factor. */
  private static final int CIPHERTEXT_FIXED_BYTES = 32 + 1 + 8 * 5;

  private SealFormat() {}

  // ---- EncryptionParameters ------------------------------------------------------------------

  /**
   * SEAL's {@code EncryptionParameters} of CKKS parameters in the SEAL profile: coefficient
   * modulus {@code q_0..q_L, P}, plain modulus 0.
   *
   * @throws IllegalArgumentException if {@code params} are not in the SEAL profile
   */
  public static byte[] writeParameters(RlweParameters params, ComprMode mode) {
    requireSeal(params);
    long[] moduli = allModuli(params);
    SealWriter out = new SealWriter(64 + moduli.length * MODULUS_BYTES);
    out.u8(SealParmsId.SCHEME_CKKS);
    out.u64(params.n());
    out.u64(moduli.length);
    for (long q : moduli) {
      writeModulus(out, q);
    }
    writeModulus(out, 0);
    return frame(out, mode);
  }

  /**
   * Secure SEAL-profile parameters from SEAL's {@code EncryptionParameters} bytes.
   *
   * @throws HeFormatException if malformed, not CKKS, not valid polyhe parameters (e.g. a modulus
   *     that is not an NTT-friendly prime), or weaker than 128-bit security
   */
  public static RlweParameters readParameters(byte[] bytes) {
    return readParameters(bytes, false);
  }

  /** The same without the 128-bit check, for tests only. */
  public static RlweParameters readParametersInsecureForTestsOnly(byte[] bytes) {
    return readParameters(bytes, true);
  }

  private static RlweParameters readParameters(byte[] bytes, boolean insecure) {
    String what = "EncryptionParameters";
    SealReader in = open(bytes, what, 17 + 257L * MODULUS_BYTES);
    int scheme = in.u8(what + ".scheme");
    if (scheme != SealParmsId.SCHEME_CKKS) {
      throw new HeFormatException(what + ".scheme is " + scheme + ", expected 2 (CKKS)");
    }
    long n = in.u64(what + ".poly_modulus_degree");
    if (n < 8 || n > (1 << RlweParameters.MAX_LOG_N) || Long.bitCount(n) != 1) {
      throw new HeFormatException(what + ".poly_modulus_degree is " + Long.toUnsignedString(n)
          + ", expected a power of two in [8, " + (1 << RlweParameters.MAX_LOG_N) + "]");
    }
    long count = in.u64(what + ".coeff_modulus size");
    if (count < 2 || count > 256) {
      throw new HeFormatException(what + ".coeff_modulus has " + Long.toUnsignedString(count)
          + " primes, expected 2..256 (ciphertext primes and one special prime)");
    }
    long[] moduli = new long[(int) count];
    for (int i = 0; i < moduli.length; i++) {
      String field = what + ".coeff_modulus[" + i + "]";
      moduli[i] = readModulus(in, field);
      int bits = 64 - Long.numberOfLeadingZeros(moduli[i]);
      if (bits < Modulus.MIN_BITS || bits > Modulus.MAX_BITS) {
        throw new HeFormatException(field + " = " + Long.toUnsignedString(moduli[i]) + " has " + bits
            + " bits; polyhe supports " + Modulus.MIN_BITS + ".." + Modulus.MAX_BITS);
      }
    }
    long plain = readModulus(in, what + ".plain_modulus");
    if (plain != 0) {
      throw new HeFormatException(what + ".plain_modulus is " + Long.toUnsignedString(plain)
          + ", expected 0 for CKKS");
    }
    in.expectEnd(what);
    long[] q = Arrays.copyOf(moduli, moduli.length - 1);
    long[] p = {moduli[moduli.length - 1]};
    RlweParameters.Literal literal = RlweParameters.Literal.ofPrimes(Integer.numberOfTrailingZeros((int) n), q, p)
        .withProfile(Profile.SEAL);
    try {
      return insecure ? RlweParameters.insecureForTestsOnly(literal) : RlweParameters.of(literal);
    } catch (IllegalArgumentException e) {
      throw new HeFormatException(what + ": invalid parameters: " + e.getMessage(), e);
    }
  }

  private static void writeModulus(SealWriter out, long value) {
    SealHeader.of(ComprMode.NONE, MODULUS_BYTES).writeTo(out);
    out.u64(value);
  }

  private static long readModulus(SealReader in, String field) {
    SealHeader h = SealHeader.read(in, field).requireUncompressed(field);
    if (h.size() != MODULUS_BYTES) {
      throw new HeFormatException(field + ": a SEAL Modulus is " + MODULUS_BYTES + " bytes, header says " + h.size());
    }
    return in.u64(field + " value");
  }

  // ---- Ciphertext ----------------------------------------------------------------------------

  /** A ciphertext (2 or 3 parts, at its level) as SEAL's {@code Ciphertext}, full polynomials. */
  public static byte[] writeCiphertext(Ciphertext ct, ComprMode mode) {
    requireSeal(ct.parameters());
    RnsPoly[] polys = new RnsPoly[ct.size()];
    for (int i = 0; i < polys.length; i++) {
      polys[i] = ct.poly(i);
    }
    SealWriter out = new SealWriter(CIPHERTEXT_FIXED_BYTES + 64 + polys.length * polys[0].limbCount() * polys[0].n() * 8);
    writeCiphertextMembers(out, SealParmsId.ofLevel(ct.parameters(), ct.level()), polys, ct.scale());
    return frame(out, mode);
  }

  /**
   * A ciphertext of {@code context} (a SEAL-profile context) from SEAL's {@code Ciphertext} bytes,
   * seeded or not.
   *
   * @throws HeFormatException if malformed or made for other parameters
   */
  public static Ciphertext readCiphertext(RlweContext context, byte[] bytes) {
    RlweParameters params = requireSeal(context.parameters());
    String what = "Ciphertext";
    long bound = CIPHERTEXT_FIXED_BYTES + SealHeader.BYTES + 8
        + (long) MAX_CIPHERTEXT_SIZE * params.n() * params.qCount() * 8 + PRNG_INFO_BYTES;
    SealReader in = open(bytes, what, bound);
    Parts parts = readCiphertextMembers(in, context, what, false);
    in.expectEnd(what);
    if (!Ciphertext.isValidScale(parts.scale)) {
      throw new HeFormatException(what + ".scale is " + parts.scale + ", expected a finite value >= 1");
    }
    return new Ciphertext(params, parts.polys, parts.scale);
  }

  // ---- PublicKey -----------------------------------------------------------------------------

  /** A public key as SEAL's {@code PublicKey} (a 2-part ciphertext at the key level). */
  public static byte[] writePublicKey(PublicKey pk, ComprMode mode) {
    RlweParameters params = requireSeal(pk.parameters());
    SealWriter out = new SealWriter(keyPartBytes(params) + 64);
    writeCiphertextMembers(out, SealParmsId.ofKeyLevel(params), new RnsPoly[] {pk.b(), pk.a()}, 1.0);
    return frame(out, mode);
  }

  /** A public key of {@code context} from SEAL's {@code PublicKey} bytes, seeded or not. */
  public static PublicKey readPublicKey(RlweContext context, byte[] bytes) {
    RlweParameters params = requireSeal(context.parameters());
    String what = "PublicKey";
    SealReader in = open(bytes, what, keyPartBytes(params));
    Parts parts = readCiphertextMembers(in, context, what, true);
    in.expectEnd(what);
    return PublicKey.ofPolynomials(context, parts.polys[0], parts.polys[1]);
  }

  // ---- RelinKeys and GaloisKeys --------------------------------------------------------------

  /** The relinearisation key as SEAL's {@code RelinKeys} (one key, for {@code s^2}, at index 0). */
  public static byte[] writeRelinKeys(RelinearizationKey key, ComprMode mode) {
    RlweParameters params = requireSeal(key.parameters());
    SealWriter out = new SealWriter(64 + params.dnum() * keyPartBytes(params));
    out.bytes(SealParmsId.ofKeyLevel(params));
    out.u64(1);
    writeSwitchingKey(out, key.switchingKey());
    return frame(out, mode);
  }

  /** The relinearisation key of {@code context} from SEAL's {@code RelinKeys} bytes. */
  public static RelinearizationKey readRelinKeys(RlweContext context, byte[] bytes) {
    RlweParameters params = requireSeal(context.parameters());
    String what = "RelinKeys";
    SealReader in = open(bytes, what, 48 + params.dnum() * (8L + keyPartBytes(params)));
    checkKeyParmsId(in, params, what);
    long count = in.u64(what + " key count");
    if (count != 1) {
      throw new HeFormatException(what + " holds " + Long.toUnsignedString(count)
          + " keys; polyhe relinearises from s^2 only, so it expects exactly 1");
    }
    SwitchingKey key = readSwitchingKey(in, context, what + "[0]");
    if (key == null) {
      throw new HeFormatException(what + "[0] is empty: there is no key for s^2");
    }
    in.expectEnd(what);
    return new RelinearizationKey(key);
  }

  /**
   * Galois keys as SEAL's {@code GaloisKeys}: the key of element g at index {@code (g-1)/2}, empty
   * entries below the largest index.
   */
  public static byte[] writeGaloisKeys(Collection<GaloisKey> keys, ComprMode mode) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no Galois keys to write");
    }
    RlweParameters params = requireSeal(keys.iterator().next().parameters());
    List<GaloisKey> sorted = new ArrayList<>(keys);
    sorted.sort(Comparator.comparingInt(GaloisKey::galoisElement));
    int entries = (sorted.getLast().galoisElement() - 1) / 2 + 1;
    SealWriter out = new SealWriter(64 + 8 * entries + sorted.size() * params.dnum() * keyPartBytes(params));
    out.bytes(SealParmsId.ofKeyLevel(params));
    out.u64(entries);
    int next = 0;
    for (GaloisKey key : sorted) {
      if (!key.parameters().sameAs(params)) {
        throw new IllegalArgumentException("Galois keys of different parameters");
      }
      int index = (key.galoisElement() - 1) / 2;
      if (index < next) {
        throw new IllegalArgumentException("two keys for Galois element " + key.galoisElement());
      }
      for (; next < index; next++) {
        out.u64(0);
      }
      writeSwitchingKey(out, key.switchingKey());
      next = index + 1;
    }
    return frame(out, mode);
  }

  /**
   * Galois keys of {@code context} from SEAL's {@code GaloisKeys} bytes, sorted by element.
   *
   * @param maxKeys the most keys accepted (bounds memory before anything is read)
   * @throws HeFormatException if malformed, for other parameters, or holding more than {@code
   *     maxKeys} keys
   */
  public static List<GaloisKey> readGaloisKeys(RlweContext context, byte[] bytes, int maxKeys) {
    RlweParameters params = requireSeal(context.parameters());
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, got " + maxKeys);
    }
    String what = "GaloisKeys";
    long bound = 48 + 8L * params.n() + (long) maxKeys * params.dnum() * keyPartBytes(params);
    SealReader in = open(bytes, what, bound);
    checkKeyParmsId(in, params, what);
    long entries = in.u64(what + " entry count");
    if (entries < 1 || entries > params.n()) {
      throw new HeFormatException(what + " has " + Long.toUnsignedString(entries)
          + " entries, expected 1.." + params.n() + " (one per odd Galois element below 2N)");
    }
    List<GaloisKey> keys = new ArrayList<>();
    for (int index = 0; index < entries; index++) {
      int galois = 2 * index + 1;
      String field = what + "[element " + galois + "]";
      SwitchingKey key = readSwitchingKey(in, context, field);
      if (key == null) {
        continue;
      }
      if (galois == 1) {
        throw new HeFormatException(field + ": a key for the identity element 1 is meaningless");
      }
      if (keys.size() == maxKeys) {
        throw new HeFormatException(what + " holds more than " + maxKeys + " keys, the most accepted here");
      }
      GaloisElements.check(galois, params.n());
      keys.add(new GaloisKey(galois, key));
    }
    in.expectEnd(what);
    if (keys.isEmpty()) {
      throw new HeFormatException(what + " holds no key");
    }
    return keys;
  }

  private static void writeSwitchingKey(SealWriter out, SwitchingKey key) {
    RlweParameters params = key.parameters();
    byte[] parmsId = SealParmsId.ofKeyLevel(params);
    out.u64(key.digits());
    for (int j = 0; j < key.digits(); j++) {
      int start = out.size();
      SealHeader.of(ComprMode.NONE, 0).writeTo(out);
      writeCiphertextMembers(out, parmsId, new RnsPoly[] {key.b(j), key.a(j)}, 1.0);
      out.putU64(start + 8, out.size() - start);
    }
  }

  /** One entry of SEAL's KSwitchKeys: null if empty, else one key part per ciphertext prime. */
  private static SwitchingKey readSwitchingKey(SealReader in, RlweContext context, String what) {
    RlweParameters params = context.parameters();
    long digits = in.u64(what + " digit count");
    if (digits == 0) {
      return null;
    }
    if (digits != params.dnum()) {
      throw new HeFormatException(what + " has " + Long.toUnsignedString(digits)
          + " digits, expected " + params.dnum() + " (one per ciphertext prime)");
    }
    RnsPoly[] b = new RnsPoly[params.dnum()];
    RnsPoly[] a = new RnsPoly[params.dnum()];
    for (int j = 0; j < b.length; j++) {
      String part = what + ".digit[" + j + "]";
      int start = in.position();
      SealHeader h = SealHeader.read(in, part).requireUncompressed(part);
      Parts parts = readCiphertextMembers(in, context, part, true);
      if (in.position() - start != h.size()) {
        throw new HeFormatException(part + ": SEAL header says " + h.size() + " bytes, the key part has "
            + (in.position() - start));
      }
      b[j] = parts.polys[0];
      a[j] = parts.polys[1];
    }
    return SwitchingKey.ofPolynomials(context, b, a);
  }

  private static void checkKeyParmsId(SealReader in, RlweParameters params, String what) {
    byte[] id = in.bytes(32, what + ".parms_id");
    if (!MessageDigest.isEqual(id, SealParmsId.ofKeyLevel(params))) {
      throw new HeFormatException(what + ".parms_id " + SealParmsId.toHex(id)
          + " is not the key-level parms_id of these parameters (" + SealParmsId.toHex(SealParmsId.ofKeyLevel(params)) + ")");
    }
  }

  // ---- SecretKey -----------------------------------------------------------------------------

  /** The secret key as SEAL's {@code SecretKey}: an NTT-form plaintext over all primes. */
  public static byte[] writeSecretKey(RlweContext context, SecretKey sk, ComprMode mode, SecretKeyAccess access) {
    RlweParameters params = requireSeal(context.parameters());
    context.checkOwns(sk);
    long[] ternary = sk.ternaryCoefficients(access);
    RnsPoly s = context.ring().fromSigned(context.basisQPAtLevel(params.maxLevel()), ternary);
    Arrays.fill(ternary, 0);
    context.ring().toNtt(s);
    long count = (long) s.limbCount() * s.n();
    SealWriter out = new SealWriter((int) (64 + count * 8));
    out.bytes(SealParmsId.ofKeyLevel(params));
    out.u64(count);
    out.f64(1.0);
    SealHeader.of(ComprMode.NONE, SealHeader.BYTES + 8 + 8 * count).writeTo(out);
    out.u64(count);
    for (int j = 0; j < s.limbCount(); j++) {
      out.u64s(s.limb(j));
      Arrays.fill(s.limb(j), 0);
    }
    return frame(out, mode);
  }

  /**
   * The secret key of {@code context} from SEAL's {@code SecretKey} bytes: every limb must be the
   * NTT of one ternary polynomial.
   */
  public static SecretKey readSecretKey(RlweContext context, byte[] bytes, SecretKeyAccess access) {
    RlweParameters params = requireSeal(context.parameters());
    String what = "SecretKey";
    long[] moduli = allModuli(params);
    int n = params.n();
    SealReader in = open(bytes, what, 48 + SealHeader.BYTES + 8 + 8L * n * moduli.length);
    checkKeyParmsId(in, params, what);
    long count = in.u64(what + ".coeff_count");
    if (count != (long) n * moduli.length) {
      throw new HeFormatException(what + ".coeff_count is " + Long.toUnsignedString(count) + ", expected "
          + (long) n * moduli.length);
    }
    double scale = in.f64(what + ".scale");
    if (scale != 1.0) {
      throw new HeFormatException(what + ".scale is " + scale + ", expected 1");
    }
    long[] data = readDynArray(in, what + ".data", count, count);
    in.expectEnd(what);
    RnsBasis basis = context.basisQPAtLevel(params.maxLevel());
    long[][] limbs = new long[moduli.length][];
    long[] ternary = new long[n];
    try {
      for (int i = 0; i < moduli.length; i++) {
        limbs[i] = Arrays.copyOfRange(data, i * n, (i + 1) * n);
        for (int c = 0; c < n; c++) {
          if (Long.compareUnsigned(limbs[i][c], moduli[i]) >= 0) {
            throw new HeFormatException(what + ".data: prime " + i + ", coefficient " + c + " is not below its prime");
          }
        }
      }
      RnsPoly s = new RnsPoly(basis, limbs, true);
      context.ring().toCoefficients(s);
      for (int i = 0; i < moduli.length; i++) {
        long q = moduli[i];
        long[] limb = s.limb(i);
        for (int c = 0; c < n; c++) {
          long v = limb[c] == 0 ? 0 : limb[c] == 1 ? 1 : limb[c] == q - 1 ? -1 : 2;
          if (v == 2 || (i > 0 && v != ternary[c])) {
            throw new HeFormatException(what + ": not a ternary secret, the same modulo every prime (prime " + i
                + ", coefficient " + c + ")");
          }
          ternary[c] = v;
        }
      }
      return SecretKey.fromTernary(context, ternary, access);
    } finally {
      Arrays.fill(data, 0);
      Arrays.fill(ternary, 0);
      for (long[] limb : limbs) {
        if (limb != null) {
          Arrays.fill(limb, 0);
        }
      }
    }
  }

  // ---- shared pieces -------------------------------------------------------------------------

  /** A ciphertext's polynomials and scale as read. */
  private record Parts(RnsPoly[] polys, double scale) {}

  private static void writeCiphertextMembers(SealWriter out, byte[] parmsId, RnsPoly[] polys, double scale) {
    int k = polys[0].limbCount();
    int n = polys[0].n();
    out.bytes(parmsId);
    out.u8(1); // NTT form
    out.u64(polys.length);
    out.u64(n);
    out.u64(k);
    out.f64(scale);
    out.u64(1); // correction factor (BGV only; 1 otherwise)
    long count = (long) polys.length * k * n;
    SealHeader.of(ComprMode.NONE, SealHeader.BYTES + 8 + 8 * count).writeTo(out);
    out.u64(count);
    for (RnsPoly p : polys) {
      for (int j = 0; j < k; j++) {
        out.u64s(p.limb(j));
      }
    }
  }

  /**
   * Reads the members of a SEAL ciphertext: at the key level with 2 parts if {@code key}, else at a
   * data level of the context with 2..{@link #MAX_CIPHERTEXT_SIZE} parts; a seeded second part is
   * expanded.
   */
  private static Parts readCiphertextMembers(SealReader in, RlweContext context, String what, boolean key) {
    RlweParameters params = context.parameters();
    byte[] id = in.bytes(32, what + ".parms_id");
    RnsBasis basis;
    if (key) {
      if (!MessageDigest.isEqual(id, SealParmsId.ofKeyLevel(params))) {
        throw new HeFormatException(what + ".parms_id " + SealParmsId.toHex(id)
            + " is not the key-level parms_id of these parameters");
      }
      basis = context.basisQPAtLevel(params.maxLevel());
    } else {
      int level = -1;
      for (int l = params.maxLevel(); l >= 0 && level < 0; l--) {
        if (MessageDigest.isEqual(id, SealParmsId.ofLevel(params, l))) {
          level = l;
        }
      }
      if (level < 0) {
        throw new HeFormatException(what + ".parms_id " + SealParmsId.toHex(id)
            + " is not a ciphertext level of these parameters (other parameters, or the key level)");
      }
      basis = context.basisAtLevel(level);
    }
    int ntt = in.u8(what + ".is_ntt_form");
    if (ntt != 1) {
      throw new HeFormatException(what + ".is_ntt_form is " + ntt + ", expected 1 (CKKS data is in NTT form)");
    }
    long size = in.u64(what + ".size");
    long minSize = 2;
    long maxSize = key ? 2 : MAX_CIPHERTEXT_SIZE;
    if (size < minSize || size > maxSize) {
      throw new HeFormatException(what + ".size is " + Long.toUnsignedString(size) + ", expected "
          + (minSize == maxSize ? "2" : minSize + ".." + maxSize));
    }
    long n = in.u64(what + ".poly_modulus_degree");
    if (n != params.n()) {
      throw new HeFormatException(what + ".poly_modulus_degree is " + Long.toUnsignedString(n) + ", expected " + params.n());
    }
    int k = basis.size();
    long limbs = in.u64(what + ".coeff_modulus_size");
    if (limbs != k) {
      throw new HeFormatException(what + ".coeff_modulus_size is " + Long.toUnsignedString(limbs)
          + ", but its parms_id has " + k + " primes");
    }
    double scale = in.f64(what + ".scale");
    if (key ? scale != 1.0 : !(scale > 0) || Double.isInfinite(scale)) {
      throw new HeFormatException(what + ".scale is " + scale + (key ? ", expected 1" : ", expected a positive finite value"));
    }
    long correction = in.u64(what + ".correction_factor");
    if (correction != 1) {
      throw new HeFormatException(what + ".correction_factor is " + Long.toUnsignedString(correction) + ", expected 1 (CKKS)");
    }
    int parts = (int) size;
    long full = (long) parts * k * params.n();
    long half = (long) k * params.n();
    long[] data = readDynArray(in, what + ".data", parts == 2 ? half : full, full);
    boolean seeded = data.length == half && parts == 2;
    if (!seeded && data.length != full) {
      throw new HeFormatException(what + ".data has " + data.length + " coefficients, expected " + full
          + (parts == 2 ? " (or " + half + " with a seed)" : ""));
    }
    RnsPoly[] polys = new RnsPoly[parts];
    int stored = seeded ? 1 : parts;
    int nn = params.n();
    for (int p = 0; p < stored; p++) {
      long[][] limb = new long[k][];
      for (int j = 0; j < k; j++) {
        long q = basis.modulus(j).value();
        int offset = (p * k + j) * nn;
        long[] values = Arrays.copyOfRange(data, offset, offset + nn);
        for (int c = 0; c < nn; c++) {
          if (Long.compareUnsigned(values[c], q) >= 0) {
            throw new HeFormatException(what + ".data: part " + p + ", prime " + j + ", coefficient " + c
                + " = " + Long.toUnsignedString(values[c]) + " is not below " + q);
          }
        }
        limb[j] = values;
      }
      polys[p] = new RnsPoly(basis, limb, true);
    }
    if (seeded) {
      String field = what + ".prng_info";
      int start = in.position();
      SealHeader h = SealHeader.read(in, field).requireUncompressed(field);
      if (h.size() != PRNG_INFO_BYTES) {
        throw new HeFormatException(field + ": SEAL header says " + h.size() + " bytes, expected " + PRNG_INFO_BYTES);
      }
      int type = in.u8(field + ".type");
      PrngType prng = switch (type) {
        case 1 -> PrngType.BLAKE2XB;
        case 2 -> PrngType.SHAKE256;
        default -> throw new HeFormatException(field + ".type is " + type + ", expected 1 (blake2xb) or 2 (shake256)");
      };
      byte[] seed = in.bytes(SealPrng.SEED_BYTES, field + ".seed");
      if (in.position() - start != PRNG_INFO_BYTES) {
        throw new IllegalStateException("prng info length");
      }
      polys[1] = SealUniform.sample(new SealPrng(prng, seed), basis);
      Arrays.fill(seed, (byte) 0);
    }
    return new Parts(polys, scale);
  }

  private static void writeDynArray(SealWriter out, long[] data) {
    SealHeader.of(ComprMode.NONE, SealHeader.BYTES + 8 + 8L * data.length).writeTo(out);
    out.u64(data.length);
    out.u64s(data);
  }

  /** A nested DynArray of u64 with {@code min..max} elements, length checked before allocation. */
  private static long[] readDynArray(SealReader in, String what, long min, long max) {
    int start = in.position();
    SealHeader h = SealHeader.read(in, what).requireUncompressed(what);
    long count = in.u64(what + " count");
    if (count != min && count != max) {
      throw new HeFormatException(what + " has " + Long.toUnsignedString(count) + " coefficients, expected "
          + (min == max ? String.valueOf(max) : min + " or " + max));
    }
    if (h.size() != SealHeader.BYTES + 8 + 8 * count) {
      throw new HeFormatException(what + ": SEAL header says " + h.size() + " bytes, " + count
          + " coefficients take " + (SealHeader.BYTES + 8 + 8 * count));
    }
    if (8 * count > in.remaining()) {
      throw new HeFormatException("SEAL data ends inside " + what + ": " + count + " coefficients need "
          + 8 * count + " bytes, " + in.remaining() + " remain");
    }
    long[] data = new long[(int) count];
    in.u64s(data, 0, data.length, what);
    if (in.position() - start != h.size()) {
      throw new IllegalStateException("DynArray length");
    }
    return data;
  }

  /** Bytes of one key part (header + members of a 2-part ciphertext at the key level), not seeded. */
  private static long keyPartBytes(RlweParameters params) {
    return SealHeader.BYTES + CIPHERTEXT_FIXED_BYTES + SealHeader.BYTES + 8
        + 2L * params.n() * (params.qCount() + params.pCount()) * 8;
  }

  private static long[] allModuli(RlweParameters params) {
    long[] q = params.qPrimes();
    long[] p = params.pPrimes();
    long[] all = Arrays.copyOf(q, q.length + p.length);
    System.arraycopy(p, 0, all, q.length, p.length);
    return all;
  }

  private static RlweParameters requireSeal(RlweParameters params) {
    if (params.profile() != Profile.SEAL) {
      throw new IllegalArgumentException("SEAL's format needs parameters in the SEAL profile, these are "
          + params.profile() + " (" + params.shortHash() + ")");
    }
    return params;
  }

  /** Header + members, compressed as asked; the header's size is the whole object's. */
  private static byte[] frame(SealWriter members, ComprMode mode) {
    byte[] body = members.toByteArray();
    if (mode == ComprMode.ZSTD) {
      body = Zstd.compress(body);
    }
    SealWriter out = new SealWriter(SealHeader.BYTES + body.length);
    SealHeader.of(mode, SealHeader.BYTES + (long) body.length).writeTo(out);
    out.bytes(body);
    return out.toByteArray();
  }

  /**
   * Checks the outer header (its size must be the whole array) and returns a reader over the
   * members, decompressed if need be to at most {@code maxMembers} bytes.
   */
  private static SealReader open(byte[] bytes, String what, long maxMembers) {
    SealReader in = new SealReader(bytes);
    SealHeader h = SealHeader.read(in, what);
    if (h.size() != bytes.length) {
      throw new HeFormatException(what + ": SEAL header says " + Long.toUnsignedString(h.size())
          + " bytes, the input has " + bytes.length + " (truncated, or bytes after the object)");
    }
    if (h.mode() == ComprMode.NONE) {
      if (bytes.length - SealHeader.BYTES > maxMembers) {
        throw new HeFormatException(what + ": " + bytes.length + " bytes is more than this object can hold under "
            + "these parameters (" + maxMembers + ")");
      }
      return new SealReader(bytes, SealHeader.BYTES, bytes.length);
    }
    byte[] members = Zstd.decompress(bytes, SealHeader.BYTES, bytes.length, maxMembers, what);
    return new SealReader(members);
  }
}
