package io.polyhe.he.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Seeded serialisation of relinearisation and Galois keys: round trips, size, rejection. */
class KeyFormatTest {

  static Stream<CkksPreset> presets() {
    return Stream.of(CkksPreset.N12_QP109_128, CkksPreset.N13_QP218_128, CkksPreset.N14_QP438_128);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void keysRoundTripSeededAtAboutHalfSizeAndStillWork(CkksPreset preset) {
    CkksContext ctx = HeTestSupport.context(preset);
    int n = ctx.parameters().n();
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(41));
    SecretKey sk = keygen.generateSecretKey();
    RelinearizationKey relin = keygen.generateRelinearizationKey(sk);
    GaloisKey rot = keygen.generateGaloisKey(sk, GaloisElements.forRotation(3, n));

    byte[] relinBytes = HeFormat.write(relin);
    byte[] rotBytes = HeFormat.write(rot);
    assertEquals(HeFormat.serializedSize(relin), relinBytes.length);
    // Header 48 + prefix 16 + seed 32, then dnum packed polynomials; unseeded it would carry the
    // dnum uniform a_j too, i.e. twice the payload.
    long payload = relinBytes.length - 96;
    double ratio = (double) relinBytes.length / (2 * payload + 64);
    assertTrue(ratio > 0.49 && ratio < 0.51, "seeded/unseeded = " + ratio);

    RelinearizationKey relinBack = HeFormat.readRelinearizationKey(relinBytes, ctx);
    GaloisKey rotBack = HeFormat.readGaloisKey(rotBytes, ctx);
    assertEquals(rot.galoisElement(), rotBack.galoisElement());
    for (int j = 0; j < relin.switchingKey().digits(); j++) {
      assertTrue(relin.switchingKey().b(j).sameValueAs(relinBack.switchingKey().b(j)));
      assertTrue(relin.switchingKey().a(j).sameValueAs(relinBack.switchingKey().a(j)));
    }
    assertArrayEquals(rotBytes, HeFormat.write(rotBack));

    // The read keys work: multiply and rotate with them.
    Evaluator eval = new Evaluator(ctx, EvaluationKeys.of(ctx.parameters().rlwe(), relinBack, List.of(rotBack)));
    CkksEncoder encoder = new CkksEncoder(ctx);
    double[] v = {0.5, -0.25, 0.75, 1, 0.125};
    Ciphertext ct = new SymmetricEncryptor(ctx.rlwe(), sk).encrypt(encoder.encode(v));
    double[] out = encoder.decode(new Decryptor(ctx.rlwe(), sk).decrypt(
        eval.rotate(eval.rescale(eval.mulRelin(ct, ct)), 3)));
    // Squared then rotated left by 3: slot 0 holds v[3]² = 1, slot 1 holds v[4]² = 1/64.
    assertEquals(1.0, out[0], 1e-3);
    assertEquals(0.015625, out[1], 1e-3);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void corruptedKeysAreRejected(CkksPreset preset) {
    CkksContext ctx = HeTestSupport.context(preset);
    int n = ctx.parameters().n();
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(42));
    SecretKey sk = keygen.generateSecretKey();
    byte[] rot = HeFormat.write(keygen.generateGaloisKey(sk, GaloisElements.forRotation(1, n)));
    byte[] relin = HeFormat.write(keygen.generateRelinearizationKey(sk));
    // Body bytes 5..7 (tag) sit at offset 48 + 5.
    byte[] even = rot.clone();
    even[53] = 4;
    even[54] = 0;
    even[55] = 0;
    HeFormatException e = assertThrows(HeFormatException.class, () -> HeFormat.readGaloisKey(even, ctx));
    assertTrue(e.getMessage().contains("not odd"), e.getMessage());
    byte[] taggedRelin = relin.clone();
    taggedRelin[53] = 1;
    assertThrows(HeFormatException.class, () -> HeFormat.readRelinearizationKey(taggedRelin, ctx));
    assertThrows(HeFormatException.class, () -> HeFormat.readGaloisKey(relin, ctx)); // wrong type
    byte[] unseeded = rot.clone();
    unseeded[7] = 0;
    assertThrows(HeFormatException.class, () -> HeFormat.readGaloisKey(unseeded, ctx));
    byte[] truncated = java.util.Arrays.copyOf(rot, rot.length - 1);
    assertThrows(HeFormatException.class, () -> HeFormat.readGaloisKey(truncated, ctx));
    CkksContext other = HeTestSupport.context(
        preset == CkksPreset.N12_QP109_128 ? CkksPreset.N13_QP218_128 : CkksPreset.N12_QP109_128);
    assertThrows(HeFormatException.class, () -> HeFormat.readGaloisKey(rot, other));
  }
}
