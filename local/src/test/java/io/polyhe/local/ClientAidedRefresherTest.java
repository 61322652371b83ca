package io.polyhe.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ckks.Reencryptor;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A low-level ciphertext comes back at the top level and the requested scale with the same values:
 * error within two fresh-encryption bounds (4·N/Δ each, as in he-core's evaluator tests), plus the
 * error it carried; refreshes and bytes are counted as serialised. The SDK's hardening applies
 * (he-core's {@link io.polyhe.he.ckks.Reencryptor}): a request without room for the value bound is
 * refused, values past it are clamped, and refused requests count nothing.
 */
class ClientAidedRefresherTest {

  @Test
  void refreshesToTheTopLevelAndCounts() {
    CkksContext ctx = CkksContext.create(CkksPreset.N13_QP218_128.parameters(), new JavaBackend(1));
    SecretKey sk = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(5)).generateSecretKey();
    CkksEncoder encoder = new CkksEncoder(ctx);
    Evaluator eval = new Evaluator(ctx);
    double[] v = new SplittableRandom(3).doubles(encoder.slots(), -1, 1).toArray();
    Ciphertext low = eval.dropToLevel(new SymmetricEncryptor(ctx.rlwe(), sk).encrypt(encoder.encode(v)), 0);
    ClientAidedRefresher refresher = new ClientAidedRefresher(ctx, sk);
    double target = 0x1p38;
    Ciphertext fresh = refresher.refresh(low, target);
    assertEquals(ctx.parameters().maxLevel(), fresh.level());
    assertEquals(target, fresh.scale());
    double[] back = encoder.decode(new Decryptor(ctx.rlwe(), sk).decrypt(fresh));
    double bound = 2 * 4.0 * ctx.parameters().n() / target + 4.0 * ctx.parameters().n() / low.scale();
    for (int i = 0; i < v.length; i++) {
      assertEquals(v[i], back[i], bound);
    }
    Refresher.RefreshStats stats = refresher.stats();
    assertEquals(1, stats.refreshes());
    assertEquals(HeFormat.serializedSize(low), stats.bytesOut());
    assertEquals(HeFormat.serializedSize(fresh), stats.bytesBack());
    assertTrue(fresh.isSeeded(), "the way back is seeded (half size)");
    assertThrows(IllegalArgumentException.class, () -> refresher.refresh(eval.mul(low, low), target));
    // Level 0 at the default scale leaves no room for the value bound: refused on public data.
    assertThrows(IllegalArgumentException.class, () -> refresher.refresh(low, 0, ctx.parameters().defaultScale()));
    assertEquals(1, refresher.stats().refreshes(), "refused requests count nothing");

    Ciphertext huge = eval.dropToLevel(new SymmetricEncryptor(ctx.rlwe(), sk)
        .encrypt(encoder.encode(new double[] {1e5, -1e5}, ctx.parameters().maxLevel(), 0x1p20)), 0);
    double[] clamped = encoder.decode(new Decryptor(ctx.rlwe(), sk).decrypt(refresher.refresh(huge, target)));
    assertEquals(Reencryptor.VALUE_BOUND, clamped[0], 1e-2);
    assertEquals(-Reencryptor.VALUE_BOUND, clamped[1], 1e-2);
  }
}
