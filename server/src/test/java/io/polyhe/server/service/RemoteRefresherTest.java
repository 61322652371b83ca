package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The client's reported refresh time is bounded by the server's own wait for that answer (issue
 * 23, item 4): before, 1e308 was accepted as is and three such answers made the total infinite.
 */
class RemoteRefresherTest {
  static final CkksContext CONTEXT = CkksContext.create(CkksParameters.insecureForTestsOnly(
      new CkksParameters.Literal(3, new int[] {30, 25}, new int[] {30}, 20)));

  static Ciphertext ciphertext() {
    var keys = new KeyGenerator(CONTEXT.rlwe());
    var encryptor = new Encryptor(CONTEXT.rlwe(), keys.generatePublicKey(keys.generateSecretKey()));
    return encryptor.encrypt(new CkksEncoder(CONTEXT).encode(new double[] {0.5, -0.25}));
  }

  /** A refresher whose client answers every request at once with {@code reported} seconds. */
  static double[] refreshThrice(double reported) throws Exception {
    Ciphertext ct = ciphertext();
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      RemoteRefresher[] self = new RemoteRefresher[1];
      self[0] = new RemoteRefresher((id, level, scale, bytes, where) ->
          client.execute(() -> self[0].answer(id, ct, reported)), Duration.ofSeconds(30));
      for (int i = 0; i < 3; i++) {
        self[0].refresh(ct, ct.level(), ct.scale());
      }
      return new double[] {self[0].clientSeconds(), self[0].waitSeconds()};
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void aHugeFiniteClientTimeIsBoundedByTheServersWait() throws Exception {
    double[] r = refreshThrice(1e308);
    assertTrue(Double.isFinite(r[0]), "finite: " + r[0]);
    assertTrue(r[0] <= r[1], "client seconds " + r[0] + " within the server's wait " + r[1]);
    assertTrue(r[1] < 30, "three immediate answers: " + r[1]);
  }

  @Test
  void nonFiniteOrNegativeClientTimesCountAsZero() throws Exception {
    assertEquals(0, refreshThrice(Double.NaN)[0]);
    assertEquals(0, refreshThrice(Double.POSITIVE_INFINITY)[0]);
    assertEquals(0, refreshThrice(-5)[0]);
  }

  @Test
  void aPlausibleClientTimeIsKeptAsReported() throws Exception {
    // Zero is within any wait; the bound only ever lowers a figure to the measured wait.
    assertEquals(0, refreshThrice(0)[0]);
    double[] r = refreshThrice(1e-12);
    assertTrue(r[0] > 0 && r[0] <= 3e-12 + 1e-18, "kept: " + r[0]);
  }
}
