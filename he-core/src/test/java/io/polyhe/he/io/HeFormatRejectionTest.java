package io.polyhe.he.io;

import static io.polyhe.he.io.Corrupt.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Corrupted bytes are refused with a clear {@link HeFormatException}, at the first violation. */
class HeFormatRejectionTest {
  private static final String ALL = "io.polyhe.he.io.Fixture#all";
  private static final SecretKeyAccess ACCESS = SecretKeyAccess.explicitlyGranted();

  /** A reader of one object type from bytes, into a fixture's context. */
  private interface Read {
    Object read(byte[] bytes, CkksContext context) throws Exception;
  }

  /** The same reader on a stream. */
  private interface ReadStream {
    Object read(InputStream in, CkksContext context) throws Exception;
  }

  private static final Read PARAMS = (b, c) -> HeFormat.readParametersInsecureForTestsOnly(b);

  /** A serialised object with its array and stream readers. */
  private record Sample(String name, byte[] bytes, Read read, ReadStream stream) {}

  /** One object of every type (and a seeded and a 3-part ciphertext) of {@code f}. */
  private static List<Sample> samples(Fixture f) {
    Ciphertext ct = f.encrypt(11);
    return List.of(
        new Sample("parameters", HeFormat.write(f.params()), PARAMS,
            (in, c) -> HeFormat.readParametersInsecureForTestsOnly(in)),
        new Sample("plaintext", HeFormat.write(f.encode(f.values(12))), HeFormat::readPlaintext,
            HeFormat::readPlaintext),
        new Sample("ciphertext", HeFormat.write(ct), HeFormat::readCiphertext,
            HeFormat::readCiphertext),
        new Sample("3-part ciphertext", HeFormat.write(f.evaluator().mul(ct, ct)),
            HeFormat::readCiphertext, HeFormat::readCiphertext),
        new Sample("seeded ciphertext", HeFormat.write(f.encryptSeeded(13)),
            HeFormat::readCiphertext, HeFormat::readCiphertext),
        new Sample("public key", HeFormat.write(f.publicKey()), HeFormat::readPublicKey,
            HeFormat::readPublicKey),
        new Sample("secret key", HeFormat.writeSecretKey(f.secretKey(), ACCESS),
            (b, c) -> HeFormat.readSecretKey(b, c, ACCESS),
            (in, c) -> HeFormat.readSecretKey(in, c, ACCESS)));
  }

  private static void rejectsBoth(Sample s, Fixture f, byte[] bytes, String fragment) {
    rejects(fragment, () -> s.read().read(bytes, f.context()));
    rejects(fragment, () -> s.stream().read(new ByteArrayInputStream(bytes), f.context()));
  }

  // ------------------------------------------------------------------ envelope

  @Test
  void everyPrefixOfEveryTinyObjectIsTruncated() {
    Fixture f = Fixture.tiny();
    for (Sample s : samples(f)) {
      for (int len = 0; len < s.bytes().length; len++) {
        byte[] prefix = Arrays.copyOf(s.bytes(), len);
        rejectsBoth(s, f, prefix, "truncated");
      }
    }
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void sampledPrefixesAreTruncated(Fixture f) {
    for (Sample s : samples(f)) {
      int n = s.bytes().length;
      for (int len : new int[] {0, 1, 4, 47, 48, 63, 64, n / 2, n - 8, n - 1}) {
        if (len >= n) {
          continue;
        }
        rejectsBoth(s, f, Arrays.copyOf(s.bytes(), len), "truncated");
      }
    }
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void trailingBytesAreRefused(Fixture f) {
    for (Sample s : samples(f)) {
      rejects("1 trailing bytes", () -> s.read().read(Corrupt.append(s.bytes(), 1), f.context()));
      rejects("8 trailing bytes", () -> s.read().read(Corrupt.append(s.bytes(), 8), f.context()));
    }
  }

  @Test
  void wrongMagic() {
    Fixture f = Fixture.tiny();
    for (Sample s : samples(f)) {
      for (int i = 0; i < 4; i++) {
        rejectsBoth(s, f, Corrupt.u8(s.bytes(), i, s.bytes()[i] ^ 0x20), "bad magic");
      }
      rejectsBoth(s, f, new byte[] {'X'}, "bad magic");
      rejectsBoth(s, f, new byte[] {'P', 'L'}, "truncated");
    }
    rejects("bad magic", () -> HeFormat.readHeader("%PDF-1.7 and then some".getBytes()));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 0x100, 0xffff})
  void unsupportedVersion(int version) {
    Fixture f = Fixture.tiny();
    for (Sample s : samples(f)) {
      rejectsBoth(s, f, Corrupt.u16(s.bytes(), 4, version), "unsupported format version " + version);
    }
  }

  @Test
  void unexpectedObjectType() {
    Fixture f = Fixture.small();
    byte[] pt = HeFormat.write(f.encode(f.values(14)));
    byte[] ct = HeFormat.write(f.encrypt(15));
    byte[] pk = HeFormat.write(f.publicKey());
    byte[] sk = HeFormat.writeSecretKey(f.secretKey(), ACCESS);
    byte[] params = HeFormat.write(f.params());
    rejects("expected a CIPHERTEXT object, found PLAINTEXT", () -> HeFormat.readCiphertext(pt, f.context()));
    rejects("expected a PLAINTEXT object, found CIPHERTEXT", () -> HeFormat.readPlaintext(ct, f.context()));
    rejects("expected a CIPHERTEXT object, found PUBLIC_KEY", () -> HeFormat.readCiphertext(pk, f.context()));
    rejects("expected a PUBLIC_KEY object, found SECRET_KEY", () -> HeFormat.readPublicKey(sk, f.context()));
    rejects("expected a SECRET_KEY object, found CIPHERTEXT",
        () -> HeFormat.readSecretKey(ct, f.context(), ACCESS));
    rejects("expected a PARAMETERS object, found CIPHERTEXT",
        () -> HeFormat.readParametersInsecureForTestsOnly(ct));
    rejects("expected a CIPHERTEXT object, found PARAMETERS",
        () -> HeFormat.readCiphertext(params, f.context()));
    rejects("expected a CIPHERTEXT object, found RELINEARIZATION_KEY",
        () -> HeFormat.readCiphertext(Corrupt.u8(ct, 6, 6), f.context()));
    for (int code : new int[] {0, 8, 9, 255}) {
      rejects("unknown object type code " + code,
          () -> HeFormat.readCiphertext(Corrupt.u8(ct, 6, code), f.context()));
      rejects("unknown object type code " + code, () -> HeFormat.readHeader(Corrupt.u8(ct, 6, code)));
    }
  }

  @Test
  void flagsMustMatchTheType() {
    Fixture f = Fixture.small();
    byte[] ct = HeFormat.write(f.encrypt(16));
    byte[] seeded = HeFormat.write(f.encryptSeeded(17));
    byte[] pk = HeFormat.write(f.publicKey());
    byte[] pt = HeFormat.write(f.encode(f.values(18)));
    rejects("flags 0x2 not allowed for CIPHERTEXT", () -> HeFormat.readCiphertext(Corrupt.u8(ct, 7, 2), f.context()));
    rejects("flags 0x80 not allowed", () -> HeFormat.readCiphertext(Corrupt.u8(ct, 7, 0x80), f.context()));
    rejects("flags 0x1 not allowed for PLAINTEXT", () -> HeFormat.readPlaintext(Corrupt.u8(pt, 7, 1), f.context()));
    rejects("PUBLIC_KEY requires flags 0x1", () -> HeFormat.readPublicKey(Corrupt.u8(pk, 7, 0), f.context()));
    rejects("bad polynomial count 2 for a seeded CIPHERTEXT",
        () -> HeFormat.readCiphertext(Corrupt.u8(ct, 7, 1), f.context()));
    rejects("bad polynomial count 1 for a CIPHERTEXT",
        () -> HeFormat.readCiphertext(Corrupt.u8(seeded, 7, 0), f.context()));
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void objectOfOtherParametersIsRefused(Fixture f) {
    Fixture other =
        f.params().logN() == 13
            ? Fixture.preset(CkksPreset.N12_QP109_128)
            : Fixture.preset(CkksPreset.N13_QP218_128);
    for (Sample s : samples(other)) {
      if (s.read() == PARAMS) {
        continue;
      }
      rejects("parameter hash mismatch: object belongs to parameters "
              + other.params().rlwe().shortHash() + ", not to the context's parameters "
              + f.params().rlwe().shortHash(),
          () -> s.read().read(s.bytes(), f.context()));
    }
    for (Sample s : samples(f)) {
      byte[] flipped = Corrupt.u8(s.bytes(), 8 + 31, s.bytes()[8 + 31] ^ 1);
      if (s.read() == PARAMS) {
        rejects("does not match the parameters in the body", () -> s.read().read(flipped, f.context()));
      } else {
        rejects("parameter hash mismatch", () -> s.read().read(flipped, f.context()));
      }
    }
  }

  // ------------------------------------------------------------------ body length

  @ParameterizedTest
  @MethodSource(ALL)
  void bodyLengthMustMatchTheHeader(Fixture f) {
    for (Sample s : samples(f)) {
      long actual = Corrupt.readU64(s.bytes(), Corrupt.BODY_LENGTH);
      rejectsBoth(s, f, Corrupt.u64(s.bytes(), Corrupt.BODY_LENGTH, 1L << 40),
          "body length 1099511627776 does not match the " + actual + " bytes");
      rejectsBoth(s, f, Corrupt.u64(s.bytes(), Corrupt.BODY_LENGTH, -1L),
          "body length 18446744073709551615");
      rejectsBoth(s, f, Corrupt.u64(s.bytes(), Corrupt.BODY_LENGTH, actual + 8), "body length");
      rejectsBoth(s, f, Corrupt.u64(s.bytes(), Corrupt.BODY_LENGTH, actual - 1), "body length");
    }
  }

  /** A stream of the first bytes of an object followed by endless zeros; counts what was read. */
  private static final class EndlessStream extends InputStream {
    private final byte[] head;
    long consumed;

    EndlessStream(byte[] head) {
      this.head = head;
    }

    @Override
    public int read() {
      return consumed < head.length ? head[(int) consumed++] & 0xff : (int) (0 * consumed++);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        b[off + i] = (byte) read();
      }
      return len;
    }
  }

  @Test
  void oversizedBodyLengthFailsFastWithoutReadingOrAllocating() {
    Fixture f = Fixture.preset(CkksPreset.N14_QP438_128);
    for (Sample s : samples(f)) {
      byte[] forged = Corrupt.u64(s.bytes(), Corrupt.BODY_LENGTH, 1L << 40);
      // Only the header and the fixed body prefix are ever looked at.
      byte[] headOnly = Arrays.copyOf(forged, 64);
      rejects("body length 1099511627776", () -> s.read().read(headOnly, f.context()));
      EndlessStream endless = new EndlessStream(headOnly);
      assertTimeoutPreemptively(
          Duration.ofSeconds(5),
          () -> rejects("body length 1099511627776", () -> s.stream().read(endless, f.context())));
      assertTrue(endless.consumed <= 64, s.name() + " read " + endless.consumed + " bytes");
    }
  }

  // ------------------------------------------------------------------ body fields

  @Test
  void levelOutOfRange() {
    Fixture f = Fixture.small();
    int max = f.maxLevel();
    byte[] ct = HeFormat.write(f.encrypt(19));
    byte[] pt = HeFormat.write(f.encode(f.values(20)));
    rejects("level " + (max + 1) + " out of range [0, " + max + "]",
        () -> HeFormat.readCiphertext(Corrupt.u16(ct, Corrupt.LEVEL, max + 1), f.context()));
    rejects("level 65535 out of range",
        () -> HeFormat.readPlaintext(Corrupt.u16(pt, Corrupt.LEVEL, 0xffff), f.context()));
    byte[] pk = HeFormat.write(f.publicKey());
    rejects("PUBLIC_KEY must be at level " + max + ", found level 0",
        () -> HeFormat.readPublicKey(Corrupt.u16(pk, Corrupt.LEVEL, 0), f.context()));
  }

  @Test
  void levelOfAnotherSizeIsABodyLengthMismatch() {
    Fixture f = Fixture.small();
    byte[] ct = HeFormat.write(f.encrypt(21));
    rejects("body length", () -> HeFormat.readCiphertext(Corrupt.u16(ct, Corrupt.LEVEL, 0), f.context()));
  }

  @Test
  void badPolynomialCount() {
    Fixture f = Fixture.small();
    byte[] ct = HeFormat.write(f.encrypt(22));
    for (int count : new int[] {0, 1, 4, 255}) {
      rejects("bad polynomial count " + count + " for a CIPHERTEXT (allowed: [2, 3])",
          () -> HeFormat.readCiphertext(Corrupt.u8(ct, Corrupt.COUNT, count), f.context()));
    }
    byte[] seeded = HeFormat.write(f.encryptSeeded(23));
    rejects("bad polynomial count 2 for a seeded CIPHERTEXT",
        () -> HeFormat.readCiphertext(Corrupt.u8(seeded, Corrupt.COUNT, 2), f.context()));
    byte[] pt = HeFormat.write(f.encode(f.values(24)));
    rejects("bad polynomial count 2 for a PLAINTEXT",
        () -> HeFormat.readPlaintext(Corrupt.u8(pt, Corrupt.COUNT, 2), f.context()));
  }

  @Test
  void formModuliAndReservedBytes() {
    Fixture f = Fixture.small();
    byte[] ct = HeFormat.write(f.encrypt(25));
    byte[] pk = HeFormat.write(f.publicKey());
    rejects("unsupported polynomial form 1",
        () -> HeFormat.readCiphertext(Corrupt.u8(ct, Corrupt.FORM, 1), f.context()));
    rejects("CIPHERTEXT must have moduli code 0",
        () -> HeFormat.readCiphertext(Corrupt.u8(ct, Corrupt.MODULI, 1), f.context()));
    rejects("PUBLIC_KEY must have moduli code 1",
        () -> HeFormat.readPublicKey(Corrupt.u8(pk, Corrupt.MODULI, 0), f.context()));
    for (int at = 53; at < 56; at++) {
      int offset = at;
      rejects("reserved body bytes",
          () -> HeFormat.readCiphertext(Corrupt.u8(ct, offset, 1), f.context()));
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.0,
      -0.0, 0.0, 0.5, 0.999999})
  void badScale(double scale) {
    Fixture f = Fixture.small();
    byte[] ct = HeFormat.write(f.encrypt(26));
    byte[] pt = HeFormat.write(f.encode(f.values(27)));
    rejects("scale must be finite and >= 1, got " + scale,
        () -> HeFormat.readCiphertext(Corrupt.f64(ct, Corrupt.SCALE, scale), f.context()));
    rejects("scale must be finite and >= 1",
        () -> HeFormat.readPlaintext(Corrupt.f64(pt, Corrupt.SCALE, scale), f.context()));
    byte[] pk = HeFormat.write(f.publicKey());
    rejects("PUBLIC_KEY scale must be 1.0",
        () -> HeFormat.readPublicKey(Corrupt.f64(pk, Corrupt.SCALE, scale), f.context()));
  }

  @Test
  void seedOfTheWrongLengthIsABodyLengthMismatch() {
    Fixture f = Fixture.small();
    byte[] seeded = HeFormat.write(f.encryptSeeded(28));
    long body = Corrupt.readU64(seeded, Corrupt.BODY_LENGTH);
    // Cut 4 bytes out of the seed and shorten the declared body to match.
    byte[] cut = new byte[seeded.length - 4];
    System.arraycopy(seeded, 0, cut, 0, Corrupt.SEED + 28);
    System.arraycopy(seeded, Corrupt.SEED + 32, cut, Corrupt.SEED + 28, seeded.length - Corrupt.SEED - 32);
    rejects("body length " + (body - 4) + " does not match the " + body + " bytes",
        () -> HeFormat.readCiphertext(Corrupt.u64(cut, Corrupt.BODY_LENGTH, body - 4), f.context()));
  }

  // ------------------------------------------------------------------ coefficients

  @ParameterizedTest
  @MethodSource(ALL)
  void outOfRangeCoefficientIsNamed(Fixture f) {
    RlweParameters params = f.params().rlwe();
    int n = params.n();
    int level = f.maxLevel();
    long[] primes = Corrupt.primes(params, level, false);
    byte[] ct = HeFormat.write(f.encrypt(29));

    int last = primes.length - 1;
    long q = primes[last];
    byte[] equalToQ =
        Corrupt.packed(ct, Corrupt.limbOffset(primes, n, false, 1, last), Corrupt.bits(q), 5, q);
    rejects("coefficient 5 of limb " + last + " of polynomial 1 is " + q + ", not below q_" + last
            + " = " + q,
        () -> HeFormat.readCiphertext(equalToQ, f.context()));

    long all = (1L << Corrupt.bits(primes[0])) - 1;
    int limb0 = Corrupt.limbOffset(primes, n, false, 0, 0);
    byte[] allOnes = Corrupt.packed(ct, limb0, Corrupt.bits(primes[0]), n - 1, all);
    rejects("coefficient " + (n - 1) + " of limb 0 of polynomial 0 is " + all,
        () -> HeFormat.readCiphertext(allOnes, f.context()));

    // The first violation is the one reported.
    byte[] two = Corrupt.packed(allOnes, limb0, Corrupt.bits(primes[0]), 3, primes[0]);
    rejects("coefficient 3 of limb 0 of polynomial 0",
        () -> HeFormat.readCiphertext(new ByteArrayInputStream(two), f.context()));

    // Public key: the special primes follow the ciphertext primes.
    if (params.pCount() > 0) {
      long[] qp = Corrupt.primes(params, level, true);
      long p0 = params.pPrimes()[0];
      int at = Corrupt.limbOffset(qp, n, true, 0, level + 1);
      byte[] pk = Corrupt.packed(HeFormat.write(f.publicKey()), at, Corrupt.bits(p0), 0, p0);
      rejects("coefficient 0 of limb " + (level + 1) + " of polynomial 0 is " + p0
              + ", not below p_0 = " + p0,
          () -> HeFormat.readPublicKey(pk, f.context()));
    }
    // Seeded ciphertext: c_0 follows the seed.
    byte[] seeded = HeFormat.write(f.encryptSeeded(30));
    byte[] badSeeded =
        Corrupt.packed(seeded, Corrupt.limbOffset(primes, n, true, 0, 0), Corrupt.bits(primes[0]), 1,
            primes[0]);
    rejects("coefficient 1 of limb 0 of polynomial 0",
        () -> HeFormat.readCiphertext(badSeeded, f.context()));
  }

  @Test
  void nonzeroPaddingBits() {
    Fixture f = Fixture.tiny(); // N = 8: 240 bits of q_0 residues in 256, 200 bits of q_1 in 256
    long[] primes = Corrupt.primes(f.params().rlwe(), f.maxLevel(), false);
    byte[] ct = HeFormat.write(f.encrypt(31));
    int limb0 = Corrupt.limbOffset(primes, 8, false, 0, 0);
    assertEquals(32, Corrupt.limbBytes(8, primes[0]));
    rejects("nonzero padding bits after limb 0 (q_0) of polynomial 0",
        () -> HeFormat.readCiphertext(Corrupt.u8(ct, limb0 + 31, 0x80), f.context()));
    int limb1 = Corrupt.limbOffset(primes, 8, false, 1, 1);
    rejects("nonzero padding bits after limb 1 (q_1) of polynomial 1",
        () -> HeFormat.readCiphertext(Corrupt.u8(ct, limb1 + 25, 0x01), f.context()));
  }

  // ------------------------------------------------------------------ parameters

  @Test
  void insecureParametersAreRefusedOnRead() {
    byte[] small = HeFormat.write(Fixture.small().params());
    rejects("secure parameters", () -> HeFormat.readParameters(small));
    rejects("secure parameters", () -> HeFormat.readParameters(new ByteArrayInputStream(small)));

    CkksParameters weak =
        CkksParameters.insecureForTestsOnly(
            new CkksParameters.Literal(12, new int[] {60, 60}, new int[] {60}, 40));
    byte[] bytes = HeFormat.write(weak);
    rejects("exceeds 109, the 128-bit limit for N = 2^12", () -> HeFormat.readParameters(bytes));
    CkksParameters read = HeFormat.readParametersInsecureForTestsOnly(bytes);
    assertTrue(read.rlwe().isInsecure());
    assertEquals(weak, read);
  }

  @Test
  void corruptedParameters() {
    Fixture f = Fixture.tiny();
    byte[] params = HeFormat.write(f.params());
    long q0 = f.params().rlwe().q(0);
    long q1 = f.params().rlwe().q(1);
    int q0At = 64;
    rejects("is not a prime ≡ 1 mod 2N",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u64(params, q0At, q0 + 1)));
    rejects("is not a prime ≡ 1 mod 2N",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u64(params, q0At, q0 + 16 * 3)));
    rejects("appears twice",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u64(params, q0At, q1)));
    rejects("prime q_0 = 17 is outside the supported range",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u64(params, q0At, 17)));
    rejects("prime q_0 = 18446744073709551615 is outside",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u64(params, q0At, -1)));
    // Another valid NTT prime: the body is fine, but the header hash no longer matches.
    rejects("does not match the parameters in the body",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u64(params, q0At, 65537)));
    rejects("at least one ciphertext prime",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u8(params, 49, 0)));
    rejects("digit size 0 out of range",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u8(params, 51, 0)));
    rejects("digit size 200 out of range",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u8(params, 51, 200)));
    // The former reserved u32 holds the secret's Hamming weight: at most N, and covered by the hash.
    rejects("Hamming weight 16777216 exceeds N",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u8(params, 55, 1)));
    rejects("does not match the parameters in the body",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u8(params, 52, 1)));
    rejects("logN must be in",
        () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.u8(params, 48, 40)));
    for (double scale : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1.0, 0x1p40}) {
      rejects("default scale",
          () -> HeFormat.readParametersInsecureForTestsOnly(Corrupt.f64(params, 56, scale)));
    }
  }
}
