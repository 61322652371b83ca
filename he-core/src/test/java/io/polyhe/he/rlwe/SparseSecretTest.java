package io.polyhe.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ring.Sampler;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.ring.Xof;
import org.junit.jupiter.api.Test;

/** Sparse ternary secrets: exact weight, an honest 128-bit check, and their own parameter hash. */
class SparseSecretTest {

  @Test
  void samplerGivesExactlyTheWeightWithBothSigns() {
    for (int h : new int[] {1, 32, 192, 1024}) {
      long[] s = Sampler.sparseTernary(new Xof(new byte[32], "t" + h), 1024, h);
      int weight = 0;
      int plus = 0;
      for (long c : s) {
        assertTrue(c >= -1 && c <= 1);
        weight += c != 0 ? 1 : 0;
        plus += c == 1 ? 1 : 0;
      }
      assertEquals(h, weight);
      assertTrue(h < 32 || (plus > h / 4 && plus < 3 * h / 4), "signs " + plus + " of " + h);
    }
    assertThrows(IllegalArgumentException.class, () -> Sampler.sparseTernary(new Xof(new byte[32], "x"), 16, 17));
  }

  @Test
  void secureSparseParametersNeedAnEstimate() {
    int[] logQ = new int[28];
    java.util.Arrays.fill(logQ, 50);
    // N = 2^16, h = 320: 1726 bits is the bound; 1700 bits pass, 1970 do not.
    RlweParameters ok = RlweParameters.of(new RlweParameters.Literal(16, logQ, new int[] {50, 50, 50, 50, 50, 50}, 0, 320));
    assertEquals(320, ok.secretHammingWeight());
    assertTrue(ok.toString().contains("h=320"));
    int[] wide = new int[31];
    java.util.Arrays.fill(wide, 50);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RlweParameters.of(
        new RlweParameters.Literal(16, wide, new int[] {60, 60, 60, 60, 60, 60, 60}, 0, 320)));
    assertTrue(e.getMessage().contains("exceeds the 128-bit estimate 1726"), e.getMessage());
    // No estimate for a lower weight, even with a small modulus.
    e = assertThrows(IllegalArgumentException.class, () -> RlweParameters.of(
        new RlweParameters.Literal(13, new int[] {40, 40}, new int[] {40}, 0, 64)));
    assertTrue(e.getMessage().contains("no 128-bit estimate"), e.getMessage());
  }

  @Test
  void weightIsPartOfTheHashAndTheKeyMustHaveIt() {
    RlweParameters dense = RlweParameters.insecureForTestsOnly(new RlweParameters.Literal(10, new int[] {40, 40}, new int[] {50}, 0, 0));
    RlweParameters sparse = RlweParameters.insecureForTestsOnly(new RlweParameters.Literal(10, new int[] {40, 40}, new int[] {50}, 0, 32));
    assertNotEquals(dense.shortHash(), sparse.shortHash());
    RlweContext ctx = new RlweContext(sparse, new JavaBackend(1));
    SecretKey sk = new KeyGenerator(ctx, SeedSource.deterministicForTestsOnly(1)).generateSecretKey();
    long[] s = sk.ternaryCoefficients(SecretKeyAccess.explicitlyGranted());
    assertEquals(32, java.util.Arrays.stream(s).filter(c -> c != 0).count());
    long[] dense33 = s.clone();
    for (int i = 0; i < dense33.length; i++) {
      if (dense33[i] == 0) {
        dense33[i] = 1;
        break;
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> SecretKey.fromTernary(ctx, dense33, SecretKeyAccess.explicitlyGranted()));
  }
}
