package io.polyhe.nativebackend.resident;

import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.Collections;
import java.util.IdentityHashMap;
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
    Scope scope = begin(ar);
    Ciphertext[] outputs;
    try {
      ResidentCiphertext[] in = new ResidentCiphertext[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        in[i] = scope.upload(inputs[i]);
      }
      ResidentCiphertext[] out = body.apply(in);
      outputs = new Ciphertext[out.length];
      for (int i = 0; i < out.length; i++) {
        outputs[i] = scope.download(out[i]);
      }
    } catch (RuntimeException | Error e) {
      scope.closeMade();
      throw e;
    }
    Result r = scope.end();
    return new Result(outputs, r.transfers(), r.closed(), r.residentBytesAfter(), r.seconds());
  }

  /**
   * Opens a pass whose body is driven from outside (a {@link java.util.function.Function} cannot
   * express a pass that calls back into a refresher, as a model's pass does): upload, compute,
   * download through the scope, then {@link Scope#end}.
   *
   * @throws IllegalStateException if {@code ar} is closed or already in a pass
   */
  public static Scope begin(ResidentArithmetic ar) {
    return new Scope(ar);
  }

  /**
   * One pass's scope on a {@link ResidentArithmetic}: records every ciphertext made from {@link
   * #begin} on, counts the edges, and at {@link #end} closes them all. Driven by one thread.
   */
  public static final class Scope {
    private final ResidentArithmetic ar;
    private final ResidentDevice device;
    private final ResidentDevice.Transfers before;
    private final long t0 = System.nanoTime();
    private final java.util.List<Ciphertext> downloaded = new java.util.ArrayList<>();
    private int closed = -1;

    private Scope(ResidentArithmetic ar) {
      this.ar = ar;
      this.device = ar.device();
      this.before = device.transfers();
      ar.startTracking();
    }

    /** An edge in: the pass's input, or a refreshed ciphertext coming back. */
    public ResidentCiphertext upload(Ciphertext ct) {
      checkOpen();
      return ar.upload(ct);
    }

    /** An edge out (a synchronisation point): an output, or a ciphertext going out for refresh. */
    public Ciphertext download(ResidentCiphertext ct) {
      checkOpen();
      Ciphertext out = ar.download(ct);
      downloaded.add(out);
      return out;
    }

    private void checkOpen() {
      if (closed >= 0) {
        throw new IllegalStateException("the resident pass has ended");
      }
    }

    private void closeMade() {
      if (closed < 0) {
        closed = ar.closeTracked(Collections.newSetFromMap(new IdentityHashMap<>()));
      }
    }

    /**
     * Closes every ciphertext the pass made, waits for the device, and reports: {@link
     * Result#outputs()} are all the ciphertexts downloaded in the scope, in order.
     *
     * @throws IllegalStateException if a queued device operation failed (the ciphertexts are
     *     closed all the same)
     */
    public Result end() {
      closeMade();
      device.synchronize();
      return new Result(downloaded.toArray(new Ciphertext[0]), device.transfers().since(before), closed,
          device.residentBytes(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
