package io.polyhe.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ring.CrtReconstructor;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.SeedSource;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encryption and decryption at the coefficient level: a message polynomial with small integer
 * coefficients decrypts to itself plus noise within the stated bounds.
 *
 * <p>Bounds: symmetric encryption's noise is one Gaussian sample, |e| ≤ 19. Public-key encryption
 * over q_0..q_level and the last special prime p, divided by p, leaves one rounding, r_0 + r_1·s
 * with |r_i| ≤ 1/2, plus (e·u + e_0 + e_1·s)/p with |e·u|, |e_1·s| ≤ 19·N and |e_0| ≤ 19, so
 * |noise| ≤ (N + 1)/2 + (38·N + 19)/p in the worst case; we assert that worst-case bound and, as a
 * sharper statistical check, that the standard deviation stays below sqrt(N)/3 (one rounding gives
 * about sqrt(N/18) = sqrt(N)/4.2).
 */
class EncryptionTest {

  static java.util.stream.Stream<CkksPreset> presets() {
    return HeTestSupport.presets();
  }

  private static double[] decryptNoise(RlweContext ctx, Plaintext decrypted, long[] message) {
    RnsPoly p = decrypted.poly().copy();
    ctx.ring().toCoefficients(p);
    double[] values = new double[p.n()];
    new CrtReconstructor(p.basis()).toCenteredDoubles(p, values);
    for (int j = 0; j < values.length; j++) {
      values[j] -= message[j];
    }
    return values;
  }

  private static long[] randomMessage(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] m = new long[n];
    for (int j = 0; j < n; j++) {
      m[j] = r.nextLong(-1000_000, 1000_000);
    }
    return m;
  }

  private static Plaintext plaintext(RlweContext ctx, long[] message, int level) {
    RnsPoly m = ctx.ring().fromSigned(ctx.basisAtLevel(level), message);
    ctx.ring().toNtt(m);
    return new Plaintext(ctx.parameters(), m, 1.0);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void publicAndSymmetricEncryptionDecryptWithinNoiseBounds(CkksPreset preset) {
    RlweContext ctx = HeTestSupport.context(preset).rlwe();
    KeyGenerator keygen = new KeyGenerator(ctx, SeedSource.deterministicForTestsOnly(1));
    SecretKey sk = keygen.generateSecretKey();
    PublicKey pk = keygen.generatePublicKey(sk);
    int n = ctx.parameters().n();
    int k = ctx.parameters().pCount();
    Decryptor decryptor = new Decryptor(ctx, sk);
    double p = ctx.parameters().pCount() == 0 ? 1 : ctx.basisP().modulus(k - 1).value();
    for (int level : new int[] {ctx.parameters().maxLevel(), ctx.parameters().maxLevel() / 2, 0}) {
      long[] message = randomMessage(n, level);
      Plaintext pt = plaintext(ctx, message, level);

      Ciphertext pkCt = new Encryptor(ctx, pk).encrypt(pt);
      assertEquals(level, pkCt.level());
      double[] noise = decryptNoise(ctx, decryptor.decrypt(pkCt), message);
      double worst = (n + 1) / 2.0 + (38.0 * n + 19) / p;
      double sumSq = 0;
      for (double e : noise) {
        assertTrue(Math.abs(e) <= worst, "pk noise " + e + " over " + worst);
        sumSq += e * e;
      }
      assertTrue(Math.sqrt(sumSq / n) < Math.sqrt(n) / 3, "pk noise std " + Math.sqrt(sumSq / n));

      Ciphertext skCt = new SymmetricEncryptor(ctx, sk).encrypt(pt);
      assertTrue(skCt.isSeeded());
      for (double e : decryptNoise(ctx, decryptor.decrypt(skCt), message)) {
        assertTrue(Math.abs(e) <= 19, "sk noise " + e);
      }
      // c_1 is exactly the expansion of the stored seed.
      RnsPoly c1 = SymmetricEncryptor.expandC1(ctx, level, skCt.c1Seed());
      assertTrue(c1.sameValueAs(skCt.poly(1)));
    }
  }

  @Test
  void threePartCiphertextsDecryptWithSSquared() {
    RlweContext ctx = HeTestSupport.context(CkksPreset.N13_QP218_128).rlwe();
    KeyGenerator keygen = new KeyGenerator(ctx, SeedSource.deterministicForTestsOnly(2));
    SecretKey sk = keygen.generateSecretKey();
    int n = ctx.parameters().n();
    long[] message = randomMessage(n, 5);
    // (m, 0, 0) + encryption of zero shifted by c2: build (c0 - c2·s², c1, c2) by hand.
    Ciphertext fresh = new SymmetricEncryptor(ctx, sk).encrypt(plaintext(ctx, message, 2));
    RnsPoly c2 = plaintext(ctx, randomMessage(n, 6), 2).poly().copy();
    RnsPoly s = sk.nttQ().prefixView(3);
    RnsPoly c2s2 = c2.copy();
    ctx.ring().multiply(c2s2, s, c2s2);
    ctx.ring().multiply(c2s2, s, c2s2);
    RnsPoly c0 = fresh.poly(0).copy();
    ctx.ring().sub(c0, c2s2, c0);
    Ciphertext three =
        new Ciphertext(ctx.parameters(), new RnsPoly[] {c0, fresh.poly(1), c2}, 1.0);
    for (double e : decryptNoise(ctx, new Decryptor(ctx, sk).decrypt(three), message)) {
      assertTrue(Math.abs(e) <= 19);
    }
  }

  @Test
  void keysNeverPrintTheirValuesAndSecretAccessNeedsTheToken() {
    RlweContext ctx = HeTestSupport.context(CkksPreset.N12_QP109_128).rlwe();
    SecretKey sk = new KeyGenerator(ctx).generateSecretKey();
    String text = sk.toString();
    assertFalse(text.matches(".*-?1, -?[01].*"), text);
    assertTrue(text.startsWith("SecretKey(N=4096"));
    assertThrows(SecurityException.class, () -> sk.ternaryCoefficients(null));
    long[] coefficients = sk.ternaryCoefficients(SecretKeyAccess.explicitlyGranted());
    SecretKey again = SecretKey.fromTernary(ctx, coefficients, SecretKeyAccess.explicitlyGranted());
    assertArrayEquals(coefficients, again.ternaryCoefficients(SecretKeyAccess.explicitlyGranted()));
    assertThrows(IllegalArgumentException.class,
        () -> SecretKey.fromTernary(ctx, new long[ctx.parameters().n()].clone().length == 0 ? null
            : java.util.stream.LongStream.generate(() -> 2).limit(ctx.parameters().n()).toArray(),
            SecretKeyAccess.explicitlyGranted()));
  }

  @Test
  void objectsOfOtherParametersAreRejected() {
    RlweContext a = HeTestSupport.context(CkksPreset.N12_QP109_128).rlwe();
    RlweContext b = HeTestSupport.context(CkksPreset.N13_QP218_128).rlwe();
    SecretKey skA = new KeyGenerator(a).generateSecretKey();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Decryptor(b, skA));
    assertTrue(e.getMessage().contains("belongs to parameters"));
    assertThrows(IllegalArgumentException.class, () -> new KeyGenerator(b).generatePublicKey(skA));
  }
}
