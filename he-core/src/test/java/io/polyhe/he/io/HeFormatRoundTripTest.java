package io.polyhe.he.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every object survives write → read with identical values, in arrays and streams. */
class HeFormatRoundTripTest {
  private static final String ALL = "io.polyhe.he.io.Fixture#all";

  /** Precision we expect back from a fresh encryption, loose for the tiny insecure ring. */
  private static double tolerance(Fixture f) {
    return f.params().logN() <= 3 ? 1e-2 : 1e-4;
  }

  private static void assertClose(double[] expected, double[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance, "slot " + i);
    }
  }

  private static byte[] stream(IoWriter writer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out);
    return out.toByteArray();
  }

  @FunctionalInterface
  private interface IoWriter {
    void write(ByteArrayOutputStream out) throws IOException;
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void parameters(Fixture f) throws IOException {
    CkksParameters params = f.params();
    byte[] bytes = HeFormat.write(params);
    assertEquals(HeFormat.serializedSize(params), bytes.length);
    CkksParameters read =
        params.rlwe().isInsecure()
            ? HeFormat.readParametersInsecureForTestsOnly(bytes)
            : HeFormat.readParameters(bytes);
    assertEquals(params, read);
    assertTrue(read.rlwe().sameAs(params.rlwe()));
    assertEquals(params.rlwe().isInsecure(), read.rlwe().isInsecure());
    assertArrayEquals(bytes, stream(out -> HeFormat.write(params, out)));
    assertEquals(
        params, HeFormat.readParametersInsecureForTestsOnly(new ByteArrayInputStream(bytes)));
    assertEquals(ObjectType.PARAMETERS, HeFormat.readHeader(bytes).type());
  }

  @Test
  void secureParametersReadThroughTheInsecureMethodStaySecure() {
    CkksParameters params = Fixture.preset(io.polyhe.he.ckks.CkksPreset.N13_QP218_128).params();
    CkksParameters read = HeFormat.readParametersInsecureForTestsOnly(HeFormat.write(params));
    assertFalse(read.rlwe().isInsecure());
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void plaintext(Fixture f) throws IOException {
    Plaintext pt = f.encoder().encode(f.values(1), f.maxLevel(), f.params().defaultScale());
    byte[] bytes = HeFormat.write(pt);
    assertEquals(HeFormat.serializedSize(pt), bytes.length);
    Plaintext read = HeFormat.readPlaintext(bytes, f.context());
    assertTrue(read.poly().sameValueAs(pt.poly()));
    assertEquals(pt.scale(), read.scale());
    assertEquals(pt.level(), read.level());
    assertTrue(read.parameters().sameAs(pt.parameters()));
    assertArrayEquals(bytes, stream(out -> HeFormat.write(pt, out)));
    Plaintext fromStream = HeFormat.readPlaintext(new ByteArrayInputStream(bytes), f.context());
    assertTrue(fromStream.poly().sameValueAs(pt.poly()));

    Plaintext low = f.evaluator().dropToLevel(pt, 0);
    Plaintext readLow = HeFormat.readPlaintext(HeFormat.write(low), f.context());
    assertEquals(0, readLow.level());
    assertTrue(readLow.poly().sameValueAs(low.poly()));
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void ciphertextTwoParts(Fixture f) throws IOException {
    double[] values = f.values(2);
    Ciphertext ct = f.encryptor().encrypt(f.encode(values));
    byte[] bytes = HeFormat.write(ct);
    assertEquals(HeFormat.serializedSize(ct), bytes.length);
    assertEquals(
        HeFormat.ciphertextSize(f.params().rlwe(), f.maxLevel(), 2, false), bytes.length);
    Ciphertext read = HeFormat.readCiphertext(bytes, f.context());
    assertTrue(read.sameValueAs(ct));
    assertFalse(read.isSeeded());
    assertClose(values, f.decrypt(read), tolerance(f));
    assertArrayEquals(bytes, stream(out -> HeFormat.write(ct, out)));
    assertTrue(HeFormat.readCiphertext(new ByteArrayInputStream(bytes), f.context()).sameValueAs(ct));
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void ciphertextThreePartsAtLowerLevel(Fixture f) {
    Ciphertext a = f.encrypt(3);
    Ciphertext b = f.encrypt(4);
    Ciphertext product = f.evaluator().mul(a, b);
    assertEquals(3, product.size());
    Ciphertext read = HeFormat.readCiphertext(HeFormat.write(product), f.context());
    assertTrue(read.sameValueAs(product));
    assertArrayEquals(f.decrypt(product), f.decrypt(read));

    Ciphertext low = f.evaluator().dropToLevel(a, 0);
    Ciphertext readLow = HeFormat.readCiphertext(HeFormat.write(low), f.context());
    assertEquals(0, readLow.level());
    assertTrue(readLow.sameValueAs(low));
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void seededCiphertextIsAboutHalfTheSizeAndDecryptsTheSame(Fixture f) throws IOException {
    double[] values = f.values(5);
    Ciphertext ct = f.symmetric().encrypt(f.encode(values));
    assertTrue(ct.isSeeded());
    byte[] seeded = HeFormat.write(ct);
    byte[] full = HeFormat.write(ct.withoutSeed());
    assertEquals(HeFormat.serializedSize(ct), seeded.length);
    assertEquals(ObjectType.CIPHERTEXT, HeFormat.readHeader(seeded).type());
    assertTrue(HeFormat.readHeader(seeded).seeded());
    assertFalse(HeFormat.readHeader(full).seeded());
    // seeded = 64 + 32 + P, full = 64 + 2P.
    long polyBytes = full.length - seeded.length + 32;
    assertEquals(Header.BYTES + PolyCodec.PREFIX_BYTES + 32 + polyBytes, seeded.length);
    if (f.params().logN() >= 10) {
      double ratio = (double) seeded.length / full.length;
      assertTrue(ratio > 0.49 && ratio < 0.51, "seeded/full = " + ratio);
    }

    Ciphertext read = HeFormat.readCiphertext(seeded, f.context());
    assertTrue(read.isSeeded());
    assertTrue(read.sameValueAs(ct));
    assertTrue(read.withoutSeed().sameValueAs(ct.withoutSeed()));
    assertArrayEquals(f.decrypt(ct), f.decrypt(read));
    assertClose(values, f.decrypt(read), tolerance(f));
    // Re-serialising a read seeded ciphertext gives the same bytes.
    assertArrayEquals(seeded, HeFormat.write(read));
    assertArrayEquals(seeded, stream(out -> HeFormat.write(ct, out)));

    // Seeded at a lower level: c_1 is expanded over q_0..q_l only.
    Ciphertext low = f.symmetric().encrypt(f.encoder().encode(values, 0, f.params().defaultScale()));
    Ciphertext readLow = HeFormat.readCiphertext(HeFormat.write(low), f.context());
    assertTrue(readLow.sameValueAs(low));
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void publicKeyEncryptsForTheSameSecretKey(Fixture f) throws IOException {
    PublicKey pk = f.publicKey();
    byte[] bytes = HeFormat.write(pk);
    assertEquals(HeFormat.serializedSize(pk), bytes.length);
    PublicKey read = HeFormat.readPublicKey(bytes, f.context());
    assertTrue(read.b().sameValueAs(pk.b()));
    assertTrue(read.a().sameValueAs(pk.a()));
    assertArrayEquals(pk.seed(), read.seed());
    assertArrayEquals(bytes, stream(out -> HeFormat.write(pk, out)));
    assertTrue(
        HeFormat.readPublicKey(new ByteArrayInputStream(bytes), f.context()).b().sameValueAs(pk.b()));

    double[] values = f.values(6);
    Ciphertext ct = new Encryptor(f.context().rlwe(), read).encrypt(f.encode(values));
    assertClose(values, f.decrypt(ct), tolerance(f));
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void secretKeyWithToken(Fixture f) throws IOException {
    SecretKeyAccess access = SecretKeyAccess.explicitlyGranted();
    SecretKey sk = f.secretKey();
    byte[] bytes = HeFormat.writeSecretKey(sk, access);
    assertEquals(HeFormat.secretKeySize(sk.parameters()), bytes.length);
    assertEquals(Header.BYTES + 8 + Math.max(8, f.params().n() / 4), bytes.length);
    SecretKey read = HeFormat.readSecretKey(bytes, f.context(), access);
    assertArrayEquals(sk.ternaryCoefficients(access), read.ternaryCoefficients(access));
    assertArrayEquals(bytes, stream(out -> HeFormat.writeSecretKey(sk, access, out)));
    SecretKey fromStream =
        HeFormat.readSecretKey(new ByteArrayInputStream(bytes), f.context(), access);
    assertArrayEquals(sk.ternaryCoefficients(access), fromStream.ternaryCoefficients(access));

    Ciphertext ct = f.encrypt(7);
    assertArrayEquals(
        f.encoder().decode(f.decryptor().decrypt(ct)),
        f.encoder().decode(new Decryptor(f.context().rlwe(), read).decrypt(ct)));
  }

  @Test
  void secretKeyNeedsTheToken() {
    Fixture f = Fixture.small();
    byte[] bytes = HeFormat.writeSecretKey(f.secretKey(), SecretKeyAccess.explicitlyGranted());
    assertThrows(SecurityException.class, () -> HeFormat.writeSecretKey(f.secretKey(), null));
    assertThrows(
        SecurityException.class,
        () -> HeFormat.writeSecretKey(f.secretKey(), null, new ByteArrayOutputStream()));
    assertThrows(SecurityException.class, () -> HeFormat.readSecretKey(bytes, f.context(), null));
    assertThrows(
        SecurityException.class,
        () -> HeFormat.readSecretKey(new ByteArrayInputStream(bytes), f.context(), null));
  }

  @Test
  void objectsFollowEachOtherInOneStream() throws IOException {
    Fixture f = Fixture.small();
    Ciphertext seeded = f.encryptSeeded(8);
    Ciphertext full = f.encrypt(9);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    HeFormat.write(f.params(), out);
    HeFormat.write(f.publicKey(), out);
    HeFormat.write(seeded, out);
    HeFormat.write(full, out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertEquals(f.params(), HeFormat.readParametersInsecureForTestsOnly(in));
    assertTrue(HeFormat.readPublicKey(in, f.context()).b().sameValueAs(f.publicKey().b()));
    assertTrue(HeFormat.readCiphertext(in, f.context()).sameValueAs(seeded));
    assertTrue(HeFormat.readCiphertext(in, f.context()).sameValueAs(full));
    assertEquals(0, in.available());
  }

  @Test
  void writerRefusesUnreducedResidues() {
    Fixture f = Fixture.small();
    Ciphertext ct = f.encrypt(10);
    RnsPoly c0 = ct.poly(0).copy();
    c0.limb(1)[7] = f.params().rlwe().q(1);
    Ciphertext bad =
        new Ciphertext(f.params().rlwe(), new RnsPoly[] {c0, ct.poly(1)}, ct.scale());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HeFormat.write(bad));
    assertTrue(e.getMessage().contains("coefficient 7 of limb 1 (q_1) of polynomial 0"), e.getMessage());
  }
}
