package io.polyhe.cli.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the real SEAL peer end to end at logN 12 (polyhe's N12 chain: 36 + 30 bit ciphertext
 * primes, one 42-bit special prime, scale 2^30). Installs the peer with {@code npm ci} when it is
 * missing, as the bench does; skipped only when that is impossible because npm is not on PATH.
 */
class SealPeerTest {

  private static final int LOG_N = 12;
  private static final int[] LOG_Q = {36, 30, 42};
  private static final int LOG_SCALE = 30;

  private static Path root() {
    Path root =
        SealPeer.findRepositoryRoot(Path.of(""))
            .orElseThrow(
                () -> new AssertionError("no bench/peer above " + Path.of("").toAbsolutePath()));
    assumeTrue(
        SealPeer.isInstalled(SealPeer.peerDirectory(root)) || SealPeer.findNpm().isPresent(),
        "npm is not on PATH, so the SEAL peer cannot be installed (cd bench/peer && npm ci)");
    return root;
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // a first npm ci downloads ~50 MB
  void runsEveryOpPrecisionAndSizesAtLogN12() {
    try (SealPeer peer = SealPeer.start(root())) {
      SealPeerException early = assertThrows(SealPeerException.class, () -> peer.run("add", 1));
      assertTrue(early.getMessage().contains("setup"), early.getMessage());

      SealPeer.Setup setup = peer.setup(LOG_N, LOG_Q, LOG_SCALE);
      assertEquals(1 << (LOG_N - 1), setup.slots());
      assertEquals("tc128", setup.securityLevel());
      assertTrue(setup.sealVersion().startsWith("4.1."), setup.sealVersion());
      assertTrue(setup.nodeVersion().startsWith("v24."), setup.nodeVersion());
      assertEquals(2, setup.ctPrimes());
      assertEquals(2, setup.topCtPrimes());

      for (String op : SealPeer.SUPPORTED_OPS) {
        double[] us = peer.run(op, 2).orElseThrow(() -> new AssertionError(op + " unsupported"));
        assertEquals(2, us.length, op);
        for (double t : us) {
          assertTrue(t > 0 && Double.isFinite(t), op + ": " + t);
        }
      }
      assertEquals(Optional.empty(), peer.run("ntt", 2));
      assertEquals(Optional.empty(), peer.run("rotate_hoisted_16", 2));
      assertEquals(2, peer.run("add", 2, 3).orElseThrow().length);

      // Scale 2^30 after the rescale, rounding noise of a few bits: ~20 bits; 12 leaves margin.
      SealPeer.Precision precision = peer.precision();
      assertTrue(precision.bitsMean() > 12, "bits_mean " + precision.bitsMean());
      assertTrue(precision.bitsMax() > 8, "bits_max " + precision.bitsMax());
      assertTrue(precision.bitsMean() >= precision.bitsMax());

      // Two polynomials of 2 limbs x 4096 words, plus SEAL's header; seeded: about half.
      SealPeer.Sizes sizes = peer.sizes();
      long raw = 2L * 2 * 4096 * 8;
      assertTrue(sizes.ciphertext() >= raw && sizes.ciphertext() < raw + 1024, sizes.toString());
      long seeded = sizes.ciphertextSeeded().orElseThrow();
      assertTrue(seeded < sizes.ciphertext() * 6 / 10, sizes.toString());
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void surfacesPeerErrorsAndSurvivesThem() {
    SealPeer peer = SealPeer.start(root());
    try (peer) {
      SealPeerException bad =
          assertThrows(SealPeerException.class, () -> peer.setup(LOG_N, new int[] {36, 61}, 30));
      assertTrue(bad.getMessage().contains("logQ[1]"), bad.getMessage());

      // One ciphertext prime left: nothing to rescale by.
      SealPeer.Setup setup = peer.setup(LOG_N, LOG_Q, LOG_SCALE, 1);
      assertEquals(1, setup.ctPrimes());
      SealPeerException rescale =
          assertThrows(SealPeerException.class, () -> peer.run("rescale", 1));
      assertTrue(
          rescale.getMessage().contains("at least 2 ciphertext primes"), rescale.getMessage());
      // SEAL's own exceptions come through with their what(): 2^60 does not fit a 36-bit prime.
      SealPeerException scale = assertThrows(SealPeerException.class, () -> peer.run("mul", 1));
      assertTrue(scale.getMessage().contains("scale out of bounds"), scale.getMessage());
      assertEquals(1, peer.run("add", 1).orElseThrow().length); // still serving
    }
    assertFalse(peer.isRunning());
    assertThrows(SealPeerException.class, () -> peer.run("add", 1));
  }
}
