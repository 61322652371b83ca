package io.polyhe.cli.resident;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.local.LocalInference;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import io.polyhe.nativebackend.ResidentDevices;
import io.polyhe.nativebackend.resident.ResidentPass;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Passes of the shipped tiny model through the pass runner on the resident engine over the
 * {@code native} device (host memory, CPU kernels), against the same passes on the heap (Java
 * backend) with the same deterministic keys and randomness: the logits are bit-identical (the
 * device kernels are bit-identical to the Java backend, the refreshes see the same ciphertexts),
 * and within 0.01 of poly-plain. On the warm pass (weights already resident) the only edges are the
 * input and the refresh ciphertexts coming in and the logits and the refresh ciphertexts going out;
 * after each pass the device holds exactly the keys and the weights. Parameters: the planner's
 * chain on N = 2^12 (INSECURE, for speed).
 */
class ResidentPassEngineTest {

  @Test
  void tinyPassOnTheResidentEngineMatchesTheHeapPassAndCrossesOnlyItsEdges() throws Exception {
    requireNativeDevice();
    Transformer tiny = ShippedModels.load("tiny");
    CkksParameters.Literal n14 = LevelPlanner.candidate(14);
    EncryptedTransformer model = new EncryptedTransformer(tiny, CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(12, n14.logQ(), n14.logP(), n14.logDefaultScale(), n14.dnum())));
    int[] tokens = new TaskTokenizer(tiny.config().tokenizer()).encode("^S31=");
    int ciphertexts = model.layout().ciphertexts(tokens.length);
    try (LocalInference heap = new LocalInference(model, new JavaBackend(2), SeedSource.deterministicForTestsOnly(21));
        LocalInference resident = new LocalInference(model, new JavaBackend(2), SeedSource.deterministicForTestsOnly(21),
            ResidentPassEngine.factory("native-resident", 2))) {
      ResidentPassEngine engine = (ResidentPassEngine) resident.engine();
      assertEquals("native-resident", engine.name());
      long keyBytes = engine.keyBytes();
      ResidentPass.Result cold = null;
      assertTrue(keyBytes > 0, "the keys are resident");
      for (String which : new String[] {"cold", "warm"}) {
        LocalInference.Pass expected = heap.forward(tokens);
        LocalInference.Pass got = resident.forward(tokens);
        // Not bit-identical since the heap engine sums a transform's giant steps with one ModDown
        // (sumOfRotations) while the resident engine rotates each term (the interface's default):
        // the same value, rounded differently.
        for (int t = 0; t < expected.logits().length; t++) {
          for (int v = 0; v < expected.logits()[t].length; v++) {
            assertEquals(expected.logits()[t][v], got.logits()[t][v], 2e-3, which + ": logit [" + t + "][" + v
                + "] against the heap pass");
          }
        }
        assertTrue(got.maxAbsError() <= 0.01, which + ": max |logit - poly-plain| " + got.maxAbsError());
        assertEquals(1.0, got.top1Agreement(), which);
        assertEquals(expected.points(), got.points(), which + ": the same refresh points");
        int refreshes = got.refreshes();
        assertTrue(refreshes > 0, "the pass refreshes client-aided");
        assertEquals(0, got.breakdown().countsByPrimitive().values().stream().mapToLong(Long::longValue).sum(),
            which + ": no primitive timing on the resident path");
        assertTrue(got.breakdown().totalSeconds() > 0, which + ": component spans are recorded");

        ResidentPass.Result pass = engine.lastPass();
        // Downloads: the logits (one per input ciphertext) and every ciphertext sent for refresh.
        assertEquals(ciphertexts + refreshes, pass.outputs().length, which);
        long downloadBytes = 0;
        long downloadPolys = 0;
        for (Ciphertext ct : pass.outputs()) {
          downloadBytes += (long) ct.size() * (ct.level() + 1) * model.parameters().rlwe().n() * Long.BYTES;
          downloadPolys += ct.size();
        }
        assertEquals(downloadPolys, pass.transfers().downloads(), which + ": downloads");
        assertEquals(downloadBytes, pass.transfers().downloadedBytes(), which + ": downloaded bytes");
        long edgeUploads = 2L * (ciphertexts + refreshes); // 2-part input and refreshed ciphertexts
        if (which.equals("cold")) {
          cold = pass;
          assertTrue(pass.transfers().uploads() > edgeUploads, "the cold pass uploads the weights too");
        } else {
          assertEquals(edgeUploads, pass.transfers().uploads(), "warm: uploads are the input and the refreshed"
              + " ciphertexts only");
          assertEquals(engine.weightBytes(), cold.transfers().uploadedBytes() - pass.transfers().uploadedBytes(),
              "what the cold pass uploaded beyond the warm one's edges is exactly the resident weights");
        }
        assertTrue(pass.closed() > ciphertexts + refreshes, which + ": the pass's ciphertexts were closed");
        // Known gap: the pass's end closes the ciphertexts still reachable; those the GC collected
        // during the pass are freed by the buffers' Cleaner, so residency is exact once it has run.
        assertTrue(pass.residentBytesAfter() >= keyBytes + engine.weightBytes(), which);
        assertEquals(keyBytes + engine.weightBytes(), residentAfterCleaner(engine.device(), keyBytes + engine.weightBytes()),
            which + ": after the pass only keys and weights are resident");
        assertTrue(engine.weightBytes() > 0, "the weights are resident");
      }
    }
  }

  /** Device bytes once the Cleaner has freed collected ciphertexts (up to 5 s of GCs). */
  private static long residentAfterCleaner(ResidentDevice device, long expected) throws InterruptedException {
    long bytes = device.residentBytes();
    for (int i = 0; i < 50 && bytes != expected; i++) {
      System.gc();
      Thread.sleep(100);
      bytes = device.residentBytes();
    }
    return bytes;
  }

  private static void requireNativeDevice() {
    try (ResidentDevice probe = ResidentDevices.open("native", 1 << 12, 1)) {
      assertEquals("native", probe.name());
    } catch (IllegalArgumentException unavailable) {
      Assumptions.abort(unavailable.getMessage());
    }
  }
}
