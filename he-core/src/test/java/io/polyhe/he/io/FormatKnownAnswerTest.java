package io.polyhe.he.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Known-answer vectors derived by hand from the layout in the package documentation: if one of
 * these changes, the format changed.
 */
class FormatKnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  /** N = 8 with explicit primes q = (65537, 114689), p = (147457): small enough to write by hand. */
  private static final long Q0 = 65537;
  private static final long Q1 = 114689;
  private static final long P0 = 147457;

  private static CkksParameters katParameters() {
    RlweParameters rlwe = RlweParameters.insecureForTestsOnly(
        RlweParameters.Literal.ofPrimes(3, new long[] {Q0, Q1}, new long[] {P0}));
    return CkksParameters.of(rlwe, 1024.0);
  }

  private static CkksContext katContext() {
    return HeTestSupport.context(katParameters(), "java");
  }

  /** The parameter hash, computed from its definition in the package documentation. */
  private static byte[] specHash() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("polyhe.rlwe.v1".getBytes(StandardCharsets.US_ASCII));
    b.write(3);
    b.write(2);
    b.writeBytes(ByteBuffer.allocate(16).putLong(Q0).putLong(Q1).array());
    b.write(1);
    b.writeBytes(ByteBuffer.allocate(8).putLong(P0).array());
    b.write(1); // key-switching digit size α: one prime per digit
    b.writeBytes("ternary-uniform;sigma=3.2;bound=19".getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.getInstance("SHA-256").digest(b.toByteArray());
  }

  private static String header(String type, String flags, String bodyLength) throws Exception {
    return "504c4845" + "0100" + type + flags + HEX.formatHex(specHash()) + bodyLength;
  }

  @Test
  void fiveBitLimb() {
    long[] values = {1, 2, 3, 31, 0, 17, 8, 30};
    byte[] out = new byte[BitPacker.limbBytes(values.length, 5)];
    assertEquals(BitPacker.OK, BitPacker.pack(values, 5, 32, out, 0));
    // 0x000000F2220F8C41 little-endian; the top 24 bits are padding.
    assertEquals("418c0f22f2000000", HEX.formatHex(out));
    long[] back = new long[values.length];
    assertEquals(BitPacker.OK, BitPacker.unpack(out, 0, back, 5, 32));
    assertArrayEquals(values, back);
  }

  @Test
  void sixtyBitValuesStraddleWords() {
    long[] values = {0xFEDCBA987654321L, 0xABCDEF012345678L};
    byte[] out = new byte[BitPacker.limbBytes(values.length, 60)];
    assertEquals(16, out.length);
    assertEquals(BitPacker.OK, BitPacker.pack(values, 60, 1L << 60, out, 0));
    // word 0 = v0 | (low 4 bits of v1) << 60; word 1 = v1 >>> 4.
    assertEquals("21436587a9cbed8f" + "67452301efcdab00", HEX.formatHex(out));
  }

  @Test
  void packUnpackRoundTripForEveryWidth() {
    SplittableRandom random = new SplittableRandom(42);
    for (int bits = 1; bits <= 63; bits++) {
      for (int n : new int[] {1, 7, 8, 64, 100}) {
        long bound = bits == 63 ? Long.MAX_VALUE : 1L << bits;
        long[] values = new long[n];
        for (int k = 0; k < n; k++) {
          values[k] = random.nextLong(bound);
        }
        values[n - 1] = bound - 1;
        byte[] out = new byte[BitPacker.limbBytes(n, bits) + 3];
        assertEquals(BitPacker.OK, BitPacker.pack(values, bits, bound, out, 3));
        long[] back = new long[n];
        assertEquals(BitPacker.OK, BitPacker.unpack(out, 3, back, bits, bound), "bits " + bits);
        assertArrayEquals(values, back, "bits " + bits + ", n " + n);
      }
    }
  }

  @Test
  void unpackReportsFirstOutOfRangeValueAndPadding() {
    byte[] limb = HEX.parseHex("418c0f22f2000000");
    long[] back = new long[8];
    // Values 1, 2, 3, 31, ...: with bound 20, index 3 (31) is the first out of range.
    assertEquals(3, BitPacker.unpack(limb, 0, back, 5, 20));
    assertEquals(31, back[3]);
    limb[7] = (byte) 0x80;
    assertEquals(BitPacker.BAD_PADDING, BitPacker.unpack(limb, 0, back, 5, 32));
    assertEquals(3, BitPacker.pack(new long[] {0, 1, 2, -1}, 5, 32, new byte[8], 0));
  }

  @Test
  void parameterHashFollowsTheSpec() throws Exception {
    assertArrayEquals(specHash(), katParameters().rlwe().hash());
  }

  @Test
  void parametersObject() throws Exception {
    String expected =
        header("01", "00", "2800000000000000")
            + "03" + "02" + "01" + "01" + "00000000" // logN, L+1, K, α, reserved
            + "0000000000009040" // default scale 1024.0
            + "0100010000000000" // q_0 = 0x10001
            + "01c0010000000000" // q_1 = 0x1c001
            + "0140020000000000"; // p_0 = 0x24001
    assertEquals(expected, HEX.formatHex(HeFormat.write(katParameters())));
    assertEquals(
        katParameters(),
        HeFormat.readParametersInsecureForTestsOnly(HEX.parseHex(expected)));
  }

  @Test
  void plaintextObject() throws Exception {
    CkksContext context = katContext();
    long[][] limbs = {{1, 65536, 2, 3, 0, 0, 0, 5}};
    Plaintext pt =
        new Plaintext(
            context.parameters().rlwe(),
            new RnsPoly(context.rlwe().basisAtLevel(0), limbs, true),
            1024.0);
    // 17-bit residues at bit offsets 0, 17, 34, 51, ..., 119: 136 bits in 3 words.
    String expected =
        header("02", "00", "2800000000000000")
            + "0000" + "01" + "00" + "00" + "000000" // level 0, 1 poly, NTT, moduli Q, reserved
            + "0000000000009040" // scale 1024.0
            + "010000000a001800" // 1 | 2^16 << 17 | 2 << 34 | 3 << 51
            + "0000000000008002" // 5 << 119 → bits 55 and 57 of word 1
            + "0000000000000000";
    assertEquals(expected, HEX.formatHex(HeFormat.write(pt)));
    Plaintext read = HeFormat.readPlaintext(HEX.parseHex(expected), context);
    assertTrue(read.poly().sameValueAs(pt.poly()));
  }

  @Test
  void publicKeyObjectStoresSpecialPrimeLimbsLast() throws Exception {
    CkksContext context = katContext();
    RnsPoly b = new RnsPoly(context.rlwe().basisQPAtLevel(1), true);
    b.limb(2)[0] = 1;
    b.limb(2)[7] = P0 - 1; // 0x24000 at bit 126: bits 140 and 143 → word 2 = 0x9000
    byte[] seed = new byte[32];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (byte) i;
    }
    PublicKey pk = PublicKey.fromSeed(context.rlwe(), b, seed);
    String zeroLimb = "00".repeat(24);
    String expected =
        header("04", "01", "7800000000000000") // 16 + 32 + 3 × 24 = 120
            + "0100" + "01" + "00" + "01" + "000000" // level 1, 1 poly, NTT, moduli QP
            + "000000000000f03f" // scale 1.0
            + HEX.formatHex(seed)
            + zeroLimb // q_0
            + zeroLimb // q_1
            + "0100000000000000" + "0000000000000000" + "0090000000000000"; // p_0
    assertEquals(expected.length() / 2, HeFormat.serializedSize(pk));
    assertEquals(expected, HEX.formatHex(HeFormat.write(pk)));
    PublicKey read = HeFormat.readPublicKey(HEX.parseHex(expected), context);
    assertTrue(read.b().sameValueAs(b));
    assertTrue(read.a().sameValueAs(pk.a()));
  }

  @Test
  void secretKeyObject() throws Exception {
    CkksContext context = katContext();
    SecretKeyAccess access = SecretKeyAccess.explicitlyGranted();
    long[] s = {0, 1, -1, 0, 1, 1, -1, -1};
    SecretKey sk = SecretKey.fromTernary(context.rlwe(), s, access);
    // codes 0,1,2,0,1,1,2,2 at 2 bits each: 0xA524.
    String expected =
        header("05", "00", "1000000000000000")
            + "00" + "00000000000000" // ternary encoding, reserved
            + "24a5000000000000";
    assertEquals(expected, HEX.formatHex(HeFormat.writeSecretKey(sk, access)));
    SecretKey read = HeFormat.readSecretKey(HEX.parseHex(expected), context, access);
    assertArrayEquals(s, read.ternaryCoefficients(access));
  }
}
