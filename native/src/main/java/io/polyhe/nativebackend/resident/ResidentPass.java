package io.polyhe.nativebackend.resident;

import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one encrypted pass on a {@link ResidentArithmetic}: the inputs go in (upload), the body
 * computes on the device, the outputs come out (download, the synchronisation point that reports a
 * failed kernel), and every ciphertext the pass made is closed, so the device holds only keys and
 * weights between passes. Nothing else crosses the edge; a body that needs a client-aided refresh
 * calls {@link ResidentArithmetic#download} and {@link ResidentArithmetic#upload} itself, and those
 * count as edges too. The result reports the traffic, so callers and tests can see that it is
 * exactly inputs in and outputs out.
 */
public final class ResidentPass {
  private ResidentPass() {}

  /**
   * What a pass produced and moved.
   *
   * @param outputs the downloaded outputs
   * @param transfers the edge traffic of the pass (weights uploaded on first use included)
   * @param closed ciphertexts the pass made and closed at its end (outputs included)
   * @param residentBytesAfter device memory held after the pass (keys, weights, anything else open)
   * @param seconds wall time of the pass
   */
  public record Result(Ciphertext[] outputs, ResidentDevice.Transfers transfers, int closed,
      long residentBytesAfter, double seconds) {}

  /**
   * Uploads {@code inputs}, applies {@code body} to them on the device, downloads what it returns.
   *
   * @throws IllegalStateException if a queued device operation failed (the pass's ciphertexts are
   *     closed all the same)
   */
  public static Result run(ResidentArithmetic ar, Ciphertext[] inputs,
      Function<ResidentCiphertext[], ResidentCiphertext[]> body) {
    ResidentDevice device = ar.device();
    long t0 = System.nanoTime();
    ResidentDevice.Transfers before = device.transfers();
    ar.startTracking();
    int closed = 0;
    Ciphertext[] outputs;
    try {
      ResidentCiphertext[] in = new ResidentCiphertext[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        in[i] = ar.upload(inputs[i]);
      }
      ResidentCiphertext[] out = body.apply(in);
      outputs = new Ciphertext[out.length];
      for (int i = 0; i < out.length; i++) {
        outputs[i] = ar.download(out[i]);
      }
    } finally {
      Set<ResidentCiphertext> none = Collections.newSetFromMap(new IdentityHashMap<>());
      closed = ar.closeTracked(none);
    }
    device.synchronize();
    return new Result(outputs, device.transfers().since(before), closed, device.residentBytes(),
        (System.nanoTime() - t0) / 1e9);
  }
}
