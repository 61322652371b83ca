package io.polyhe.he.io.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Profile;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SEAL's format without SEAL (that side is {@link SealInteropTest}): the hash and PRNG primitives
 * against Bouncy Castle, round trips of every object in both compression modes, and rejection of
 * malformed bytes with a message naming the field. Tiny insecure SEAL-profile context (N = 16).
 */
class SealFormatTest {
  static final RlweParameters PARAMS = RlweParameters.insecureForTestsOnly(
      RlweParameters.Literal.ofPrimes(4, primes(new int[] {30, 25}), primes(new int[] {31})).withProfile(Profile.SEAL));
  static final CkksContext CKKS = HeTestSupport.context(CkksParameters.of(PARAMS, Math.scalb(1.0, 20)), "java");
  static final RlweContext CONTEXT = CKKS.rlwe();
  static final SecretKeyAccess ACCESS = SecretKeyAccess.explicitlyGranted();
  static final KeyGenerator KEYGEN = new KeyGenerator(CONTEXT, SeedSource.deterministicForTestsOnly(7));
  static final SecretKey SK = KEYGEN.generateSecretKey();

  static long[] primes(int[] bits) {
    return io.polyhe.he.math.Primes.nttPrimes(4, bits, java.util.Set.of()).stream().mapToLong(Long::longValue).toArray();
  }

  // ---- primitives ----------------------------------------------------------------------------

  @Test
  void blake2bMatchesBouncyCastlePlainAndKeyed() {
    for (int length : new int[] {0, 1, 8, 127, 128, 129, 256, 1000}) {
      byte[] msg = new byte[length];
      for (int i = 0; i < length; i++) {
        msg[i] = (byte) (i * 31 + 7);
      }
      for (int digest : new int[] {32, 64}) {
        Blake2bDigest bc = new Blake2bDigest(digest * 8);
        bc.update(msg, 0, msg.length);
        byte[] expected = new byte[digest];
        bc.doFinal(expected, 0);
        assertArrayEquals(expected, Blake2b.hash(msg, digest), "length " + length + ", digest " + digest);
      }
      byte[] key = new byte[64];
      Arrays.fill(key, (byte) 0x5a);
      Blake2bDigest keyed = new Blake2bDigest(key, 64, null, null);
      keyed.update(msg, 0, msg.length);
      byte[] expected = new byte[64];
      keyed.doFinal(expected, 0);
      Blake2b ours = new Blake2b(Blake2b.sequentialParameters(64, 64), key);
      ours.update(msg, 0, msg.length);
      assertArrayEquals(expected, ours.digest(), "keyed, length " + length);
    }
  }

  @Test
  void shake256StreamIsCounterBlocks() {
    byte[] seed = new byte[64];
    for (int i = 0; i < 64; i++) {
      seed[i] = (byte) i;
    }
    SealPrng prng = new SealPrng(PrngType.SHAKE256, seed);
    byte[] stream = new byte[2 * SealPrng.BLOCK_BYTES + 10];
    prng.nextBytes(stream, 0, 100);
    prng.nextBytes(stream, 100, stream.length - 100); // across both block boundaries
    for (int block = 0; block < 3; block++) {
      SHAKEDigest shake = new SHAKEDigest(256);
      shake.update(seed, 0, 64);
      byte[] counter = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(block).array();
      shake.update(counter, 0, 8);
      byte[] expected = new byte[SealPrng.BLOCK_BYTES];
      shake.doFinal(expected, 0, expected.length);
      int from = block * SealPrng.BLOCK_BYTES;
      int to = Math.min(stream.length, from + SealPrng.BLOCK_BYTES);
      assertArrayEquals(Arrays.copyOf(expected, to - from), Arrays.copyOfRange(stream, from, to), "block " + block);
    }
  }

  @Test
  void blake2xbOutputBlocksDifferAndDependOnEveryInput() {
    byte[] key = new byte[64];
    byte[] a = new byte[4096];
    byte[] b = new byte[4096];
    SealPrng.blake2xb(a, new byte[8], key);
    SealPrng.blake2xb(b, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, key);
    assertTrue(!Arrays.equals(a, b));
    // Each 64-byte node differs (node offsets), and the XOF length is bound into every byte.
    assertTrue(!Arrays.equals(Arrays.copyOfRange(a, 0, 64), Arrays.copyOfRange(a, 64, 128)));
    byte[] shorter = new byte[64];
    SealPrng.blake2xb(shorter, new byte[8], key);
    assertTrue(!Arrays.equals(shorter, Arrays.copyOf(a, 64)));
  }

  // ---- round trips ---------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void everyObjectRoundTrips(ComprMode mode) {
    assertTrue(PARAMS.sameAs(SealFormat.readParametersInsecureForTestsOnly(SealFormat.writeParameters(PARAMS, mode))));
    CkksEncoder encoder = new CkksEncoder(CKKS);
    Ciphertext ct = new SymmetricEncryptor(CONTEXT, SK).encrypt(encoder.encode(new double[] {0.5, -0.25}));
    RelinearizationKey rlk = KEYGEN.generateRelinearizationKey(SK);
    Evaluator ev = new Evaluator(CKKS, io.polyhe.he.rlwe.EvaluationKeys.of(PARAMS, rlk, List.of()));
    Ciphertext three = ev.mul(ct, ct);
    Ciphertext low = ev.rescale(ev.relinearize(three));
    for (Ciphertext c : List.of(ct, three, low)) {
      Ciphertext back = SealFormat.readCiphertext(CONTEXT, SealFormat.writeCiphertext(c, mode));
      assertTrue(back.withoutSeed().sameValueAs(c.withoutSeed()), "ciphertext of size " + c.size() + " at level " + c.level());
      assertEquals(c.scale(), back.scale());
    }
    PublicKey pk = KEYGEN.generatePublicKey(SK);
    PublicKey pkBack = SealFormat.readPublicKey(CONTEXT, SealFormat.writePublicKey(pk, mode));
    assertTrue(pkBack.b().sameValueAs(pk.b()) && pkBack.a().sameValueAs(pk.a()));
    RelinearizationKey rlkBack = SealFormat.readRelinKeys(CONTEXT, SealFormat.writeRelinKeys(rlk, mode));
    for (int j = 0; j < rlk.switchingKey().digits(); j++) {
      assertTrue(rlkBack.switchingKey().b(j).sameValueAs(rlk.switchingKey().b(j)));
      assertTrue(rlkBack.switchingKey().a(j).sameValueAs(rlk.switchingKey().a(j)));
    }
    List<GaloisKey> gks = List.of(KEYGEN.generateGaloisKey(SK, GaloisElements.forRotation(1, PARAMS)),
        KEYGEN.generateGaloisKey(SK, GaloisElements.conjugation(PARAMS.n())));
    List<GaloisKey> gkBack = SealFormat.readGaloisKeys(CONTEXT, SealFormat.writeGaloisKeys(gks, mode), 2);
    assertEquals(List.of(3, 31), gkBack.stream().map(GaloisKey::galoisElement).toList());
    SecretKey skBack = SealFormat.readSecretKey(CONTEXT, SealFormat.writeSecretKey(CONTEXT, SK, mode, ACCESS), ACCESS);
    assertArrayEquals(SK.ternaryCoefficients(ACCESS), skBack.ternaryCoefficients(ACCESS));
    // Keys read from SEAL bytes carry no polyhe seed; polyhe's format says so instead of writing garbage.
    assertThrows(IllegalStateException.class, () -> pkBack.seed());
  }

  @Test
  void seededCiphertextExpandsWithTheNamedPrng() {
    byte[] full = SealFormat.writeCiphertext(
        new SymmetricEncryptor(CONTEXT, SK).encrypt(new CkksEncoder(CKKS).encode(new double[] {1})), ComprMode.NONE);
    for (PrngType type : PrngType.values()) {
      byte[] seed = new byte[64];
      Arrays.fill(seed, (byte) type.code());
      Ciphertext ct = SealFormat.readCiphertext(CONTEXT, SealBytes.seeded(full, type.code(), seed));
      var expected = SealUniform.sample(new SealPrng(type, seed), CONTEXT.basisAtLevel(PARAMS.maxLevel()));
      assertTrue(ct.poly(1).sameValueAs(expected), type.toString());
      assertTrue(!ct.poly(1).sameValueAs(SealFormat.readCiphertext(CONTEXT, full).poly(1)));
    }
  }

  // ---- rejections ----------------------------------------------------------------------------

  static byte[] ciphertextBytes() {
    return SealFormat.writeCiphertext(
        new SymmetricEncryptor(CONTEXT, SK).encrypt(new CkksEncoder(CKKS).encode(new double[] {1})), ComprMode.NONE);
  }

  static void assertRejected(byte[] bytes, Function<byte[], Object> reader, String expected) {
    HeFormatException e = assertThrows(HeFormatException.class, () -> reader.apply(bytes));
    assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should name " + expected);
  }

  @Test
  void malformedCiphertextsAreRejectedNamingTheField() {
    Function<byte[], Object> read = b -> SealFormat.readCiphertext(CONTEXT, b);
    byte[] ok = ciphertextBytes();
    read.apply(ok);
    assertRejected(Arrays.copyOf(ok, ok.length - 1), read, "SEAL header says");
    assertRejected(Arrays.copyOf(ok, ok.length + 1), read, "the input has");
    assertRejected(SealBytes.with(ok, 0, (byte) 0x5f), read, "header magic");
    assertRejected(SealBytes.with(ok, 3, (byte) 3), read, "SEAL version 3");
    assertRejected(SealBytes.with(ok, 5, (byte) 1), read, "zlib");
    assertRejected(SealBytes.with(ok, 5, (byte) 9), read, "unknown compression mode 9");
    assertRejected(SealBytes.with(ok, 16, (byte) (ok[16] ^ 1)), read, "parms_id");
    assertRejected(SealBytes.with(ok, 48, (byte) 0), read, "is_ntt_form");
    assertRejected(SealBytes.withU64(ok, 49, 4), read, ".size is 4");
    assertRejected(SealBytes.withU64(ok, 49, 1L << 40), read, ".size is");
    assertRejected(SealBytes.withU64(ok, 57, 32), read, "poly_modulus_degree");
    assertRejected(SealBytes.withU64(ok, 65, 1), read, "coeff_modulus_size");
    assertRejected(SealBytes.withU64(ok, 73, Double.doubleToLongBits(Double.NaN)), read, "scale");
    assertRejected(SealBytes.withU64(ok, 81, 2), read, "correction_factor");
    assertRejected(SealBytes.withU64(ok, 89 + 16, -1L), read, "coefficients, expected");
    // A coefficient equal to its prime.
    assertRejected(SealBytes.withU64(ok, 89 + 24, PARAMS.q(0)), read, "is not below");
    // A context of the polyhe profile is refused outright.
    RlweContext polyhe = HeTestSupport.context(CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(4, new int[] {30, 25}, new int[] {31}, 20)), "java").rlwe();
    assertThrows(IllegalArgumentException.class, () -> SealFormat.readCiphertext(polyhe, ok));
  }

  @Test
  void otherParametersAndOversizedObjectsAreRejected() {
    RlweParameters other = RlweParameters.insecureForTestsOnly(
        RlweParameters.Literal.ofPrimes(4, primes(new int[] {30, 26}), primes(new int[] {31})).withProfile(Profile.SEAL));
    RlweContext otherContext = HeTestSupport.context(CkksParameters.of(other, Math.scalb(1.0, 20)), "java").rlwe();
    assertRejected(ciphertextBytes(), b -> SealFormat.readCiphertext(otherContext, b), "parms_id");
    byte[] gk = SealFormat.writeGaloisKeys(List.of(KEYGEN.generateGaloisKey(SK, 3), KEYGEN.generateGaloisKey(SK, 9)),
        ComprMode.ZSTD);
    // Beyond the bound of one key: refused before inflating, and counted when the bytes fit.
    assertRejected(gk, b -> SealFormat.readGaloisKeys(CONTEXT, b, 1), "more than");
    byte[] gkPlain = SealFormat.writeGaloisKeys(List.of(KEYGEN.generateGaloisKey(SK, 3), KEYGEN.generateGaloisKey(SK, 9)),
        ComprMode.NONE);
    assertRejected(gkPlain, b -> SealFormat.readGaloisKeys(CONTEXT, b, 1), "more than");
    assertEquals(2, SealFormat.readGaloisKeys(CONTEXT, gkPlain, 2).size());
    assertRejected(SealFormat.writeRelinKeys(KEYGEN.generateRelinearizationKey(SK), ComprMode.NONE),
        b -> SealFormat.readRelinKeys(otherContext, b), "parms_id");
    // A small zstd frame of zeros that inflates beyond anything a ciphertext can hold.
    byte[] bomb = Zstd.compress(new byte[1 << 20]);
    ByteBuffer framed = ByteBuffer.allocate(16 + bomb.length).order(ByteOrder.LITTLE_ENDIAN);
    framed.putShort((short) 0xA15E).put((byte) 16).put((byte) 4).put((byte) 1).put((byte) 2).putShort((short) 0)
        .putLong(16 + bomb.length).put(bomb);
    assertRejected(framed.array(), b -> SealFormat.readCiphertext(CONTEXT, b), "decompresses to more than");
    assertRejected(SealBytes.with(framed.array(), 20, (byte) 0), b -> SealFormat.readCiphertext(CONTEXT, b), "zstd");
  }

  @Test
  void weakParametersNeedTheNamedOptIn() {
    byte[] bytes = SealFormat.writeParameters(PARAMS, ComprMode.NONE);
    assertRejected(bytes, SealFormat::readParameters, "logN");
    assertRejected(SealBytes.with(bytes, 16, (byte) 1), SealFormat::readParametersInsecureForTestsOnly, "scheme is 1");
    // plain modulus (the last u64) must be 0
    assertRejected(SealBytes.withU64(bytes, bytes.length - 8, 65537), SealFormat::readParametersInsecureForTestsOnly,
        "plain_modulus");
  }
}
