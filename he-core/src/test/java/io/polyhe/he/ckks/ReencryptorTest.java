package io.polyhe.he.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hardened re-encryption on the secure N = 2^13 preset (levels 0..2): values come back at the
 * requested level and scale within two fresh-encryption bounds (4·N/Δ each, as in the evaluator
 * tests) plus the error the input carried; requests are judged on public data only, and values
 * past {@link Reencryptor#VALUE_BOUND} are clamped instead of refused.
 */
class ReencryptorTest {
  // Per instance, not static: where the suite runs on a backend this CPU lacks, the context aborts
  // the test (skipped), which a static initializer would turn into an error.
  private final CkksContext CTX = HeTestSupport.context(CkksPreset.N13_QP218_128);
  private final SecretKey SK =
      new KeyGenerator(CTX.rlwe(), SeedSource.deterministicForTestsOnly(5)).generateSecretKey();
  private final CkksEncoder ENCODER = new CkksEncoder(CTX);
  private final SymmetricEncryptor ENCRYPTOR =
      new SymmetricEncryptor(CTX.rlwe(), SK, SeedSource.deterministicForTestsOnly(6));
  private final Decryptor DECRYPTOR = new Decryptor(CTX.rlwe(), SK);
  private final Reencryptor reencryptor = new Reencryptor(CTX, SK, SeedSource.deterministicForTestsOnly(7));

  @Test
  void aLowCiphertextComesBackAtTheRequestedLevelAndScale() {
    double[] v = new SplittableRandom(3).doubles(ENCODER.slots(), -1, 1).toArray();
    Ciphertext low = new Evaluator(CTX).dropToLevel(ENCRYPTOR.encrypt(ENCODER.encode(v)), 0);
    double target = 0x1p38;
    for (int level = 1; level <= CTX.parameters().maxLevel(); level++) {
      Ciphertext fresh = reencryptor.refresh(low, level, target);
      assertEquals(level, fresh.level());
      assertEquals(target, fresh.scale());
      assertTrue(fresh.isSeeded(), "the way back is seeded (half size)");
      double[] back = ENCODER.decode(DECRYPTOR.decrypt(fresh));
      double bound = 2 * 4.0 * CTX.parameters().n() / target + 4.0 * CTX.parameters().n() / low.scale();
      for (int i = 0; i < v.length; i++) {
        assertEquals(v[i], back[i], bound);
      }
    }
  }

  /**
   * A hostile server must not learn secret values from which refreshes fail: a scale without room
   * for the bound is refused whatever the ciphertext holds, and values past it are clamped.
   */
  @Test
  void successDependsOnPublicDataOnly() {
    double delta = CTX.parameters().defaultScale();
    Ciphertext small = ENCRYPTOR.encrypt(ENCODER.encode(new double[] {0.5}, 1, delta));
    Ciphertext huge = ENCRYPTOR.encrypt(ENCODER.encode(new double[] {1e5, -1e5, Reencryptor.VALUE_BOUND / 2}, 1, 0x1p20));
    // Level 0 (one prime) at Δ leaves no room for the bound: refused for both, before any decryption.
    assertTrue(Math.log(delta) / Math.log(2) + 14 >= Math.log(CTX.parameters().rlwe().q(0)) / Math.log(2));
    assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(small, 0, delta));
    assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(huge, 0, delta));
    assertThrows(IllegalArgumentException.class, () -> reencryptor.checkRequest(0, delta));
    reencryptor.checkRequest(1, delta);
    double[] back = ENCODER.decode(DECRYPTOR.decrypt(reencryptor.refresh(huge, 1, delta)));
    assertEquals(Reencryptor.VALUE_BOUND, back[0], 1e-2);
    assertEquals(-Reencryptor.VALUE_BOUND, back[1], 1e-2);
    assertEquals(Reencryptor.VALUE_BOUND / 2, back[2], 1e-2, "values within the bound are kept");
  }

  @Test
  void impossibleRequestsAndMalformedCiphertextsAreRefused() {
    Ciphertext ct = ENCRYPTOR.encrypt(ENCODER.encode(new double[] {0.5}));
    int top = CTX.parameters().maxLevel();
    for (double scale : new double[] {1, 0.5, -4, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(ct, top, scale), "scale " + scale);
    }
    assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(ct, -1, 0x1p30));
    assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(ct, top + 1, 0x1p30));
    Ciphertext threeParts = new Evaluator(CTX).mul(ct, ct);
    var e = assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(threeParts, top, 0x1p30));
    assertTrue(e.getMessage().contains("2-part"), e.getMessage());
    CkksContext other = HeTestSupport.context(CkksPreset.N14_QP438_128);
    SecretKey otherKey = new KeyGenerator(other.rlwe(), SeedSource.deterministicForTestsOnly(8)).generateSecretKey();
    Ciphertext foreign = new SymmetricEncryptor(other.rlwe(), otherKey).encrypt(new CkksEncoder(other).encode(new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> reencryptor.refresh(foreign, 1, 0x1p30));
  }

  @Test
  void toStringShowsNoKey() {
    assertTrue(reencryptor.toString().startsWith("Reencryptor("), reencryptor.toString());
  }
}
