package io.polyhe.he.io.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.circuits.bootstrap.BootstrapParameters;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Profile;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The SEAL profile without SEAL: its parameter rules, its slot order and rotations (generator 3),
 * and that polyhe's own keys under it are SEAL's gadget ({@link GadgetCheck}). N = 1024, insecure
 * opt-in by name; errors on values in [-1, 1] at scale 2^30 are bounded by 2^-14.
 */
class SealProfileTest {
  static final RlweParameters.Literal LITERAL =
      RlweParameters.Literal.ofPrimes(10, primes(10, new int[] {40, 30, 30}, 0), primes(10, new int[] {40}, 3))
          .withProfile(Profile.SEAL);

  static long[] primes(int logN, int[] bits, int skip) {
    // Deterministic NTT-friendly primes from polyhe's generator, distinct across the two calls.
    List<Long> all = io.polyhe.he.math.Primes.nttPrimes(logN, new int[] {40, 30, 30, 40}, java.util.Set.of());
    long[] out = new long[bits.length];
    for (int i = 0; i < bits.length; i++) {
      out[i] = all.get(skip + i);
    }
    return out;
  }

  static final RlweParameters PARAMS = RlweParameters.insecureForTestsOnly(LITERAL);
  static final CkksContext CONTEXT = HeTestSupport.context(CkksParameters.of(PARAMS, Math.scalb(1.0, 30)), "java");

  @Test
  void sealProfileFixesOneSpecialPrimeAndOnePrimePerDigit() {
    assertEquals(Profile.SEAL, PARAMS.profile());
    assertEquals(1, PARAMS.digitSize());
    assertEquals(PARAMS.qCount(), PARAMS.dnum());
    assertEquals(3, PARAMS.galoisGenerator());
    IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> RlweParameters.insecureForTestsOnly(
        RlweParameters.Literal.ofPrimes(10, primes(10, new int[] {40, 30}, 0), primes(10, new int[] {30, 40}, 2))
            .withProfile(Profile.SEAL)));
    assertTrue(two.getMessage().contains("exactly one special prime"), two.getMessage());
    IllegalArgumentException digits = assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.insecureForTestsOnly(LITERAL.withDnum(1)));
    assertTrue(digits.getMessage().contains("one ciphertext prime per digit"), digits.getMessage());
  }

  @Test
  void bootstrappingRefusesTheSealProfile() {
    // Its DFT factors follow polyhe's 5-ordered slots: under generator 3 they would give garbage.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Bootstrapper(
        new Evaluator(CONTEXT), BootstrapParameters.builder().logSlots(4).coeffsToSlotsLevels(1)
            .slotsToCoeffsLevels(1).build()));
    assertTrue(e.getMessage().contains("polyhe's own profile only"), e.getMessage());
  }

  @Test
  void profilesOfTheSamePrimesAreDifferentParameters() {
    RlweParameters polyhe = RlweParameters.insecureForTestsOnly(LITERAL.withProfile(Profile.POLYHE).withDigitSize(1));
    assertEquals(Profile.POLYHE, polyhe.profile());
    assertArrayEquals(polyhe.qPrimes(), PARAMS.qPrimes());
    assertFalse(polyhe.sameAs(PARAMS), "a SEAL-profile object must not pass as a polyhe-profile one");
    assertEquals(5, GaloisElements.forRotation(1, polyhe));
    assertEquals(3, GaloisElements.forRotation(1, PARAMS));
    assertEquals(9, GaloisElements.forRotation(2, PARAMS));
    // Right by one = left by N/2 - 1: 3^(N/2-1) mod 2N.
    assertEquals(GaloisElements.forRotation(PARAMS.n() / 2 - 1, PARAMS), GaloisElements.forRotation(-1, PARAMS));
  }

  @Test
  void polyhesOwnFormatKeepsTheProfile() {
    CkksParameters ckks = CONTEXT.parameters();
    byte[] bytes = io.polyhe.he.io.HeFormat.write(ckks);
    assertEquals(io.polyhe.he.io.Header.FLAG_SEAL_PROFILE, io.polyhe.he.io.HeFormat.readHeader(bytes).flags());
    CkksParameters back = io.polyhe.he.io.HeFormat.readParametersInsecureForTestsOnly(bytes);
    assertEquals(Profile.SEAL, back.rlwe().profile());
    assertTrue(back.rlwe().sameAs(PARAMS));
    // Without the flag the same body is polyhe-profile parameters, whose hash the header does not carry.
    byte[] unflagged = bytes.clone();
    unflagged[7] = 0;
    assertThrows(io.polyhe.he.io.HeFormatException.class,
        () -> io.polyhe.he.io.HeFormat.readParametersInsecureForTestsOnly(unflagged));
  }

  @Test
  void slotsFollowPowersOfThree() {
    // Slot j of a SEAL-profile plaintext is m(ζ^(3^j)): check against direct evaluation of the
    // decrypted coefficients (not through the encoder's own inverse).
    CkksEncoder encoder = new CkksEncoder(CONTEXT);
    double[] v = values(1, encoder.slots());
    var pt = encoder.encode(v);
    var poly = pt.poly().copy();
    CONTEXT.rlwe().ring().toCoefficients(poly);
    long q0 = PARAMS.q(0);
    int n = PARAMS.n();
    double[] m = new double[n];
    for (int c = 0; c < n; c++) {
      long x = poly.limb(0)[c];
      m[c] = (x > q0 / 2 ? x - q0 : x) / pt.scale();
    }
    long e = 1;
    for (int j = 0; j < 8; j++) {
      double re = 0;
      for (int c = 0; c < n; c++) {
        re += m[c] * Math.cos(Math.PI * ((e * c) % (2L * n)) / n);
      }
      assertEquals(v[j], re, 1e-6, "slot " + j + " at ζ^(3^" + j + ")");
      e = e * 3 % (2L * n);
    }
  }

  @Test
  void rotationsRotateLeftAndPolyheKeysAreSealsGadget() {
    KeyGenerator keygen = new KeyGenerator(CONTEXT.rlwe(), SeedSource.deterministicForTestsOnly(3));
    SecretKey sk = keygen.generateSecretKey();
    RelinearizationKey rlk = keygen.generateRelinearizationKey(sk);
    int g = GaloisElements.forRotation(5, PARAMS);
    GaloisKey gk = keygen.generateGaloisKey(sk, g);
    long[] s = sk.ternaryCoefficients(SecretKeyAccess.explicitlyGranted());
    GadgetCheck.assertGadget(CONTEXT.rlwe(), rlk.switchingKey(), s, GadgetCheck.squareNtt(CONTEXT.rlwe(), s));
    GadgetCheck.assertGadget(CONTEXT.rlwe(), gk.switchingKey(), s, GadgetCheck.automorphismNtt(CONTEXT.rlwe(), s, g));

    CkksEncoder encoder = new CkksEncoder(CONTEXT);
    Evaluator ev = new Evaluator(CONTEXT, EvaluationKeys.of(PARAMS, rlk, List.of(gk)));
    double[] v = values(2, encoder.slots());
    Ciphertext ct = new SymmetricEncryptor(CONTEXT.rlwe(), sk).encrypt(encoder.encode(v));
    double[] out = encoder.decode(new Decryptor(CONTEXT.rlwe(), sk).decrypt(ev.rotate(ct, 5)));
    for (int i = 0; i < v.length; i++) {
      assertEquals(v[(i + 5) % v.length], out[i], Math.scalb(1.0, -14), "slot " + i);
    }
    double[] sq = encoder.decode(new Decryptor(CONTEXT.rlwe(), sk).decrypt(ev.rescale(ev.relinearize(ev.mul(ct, ct)))));
    for (int i = 0; i < v.length; i++) {
      assertEquals(v[i] * v[i], sq[i], Math.scalb(1.0, -14), "slot " + i);
    }
  }

  static double[] values(long seed, int count) {
    Random r = new Random(seed);
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = 2 * r.nextDouble() - 1;
    }
    return v;
  }
}
