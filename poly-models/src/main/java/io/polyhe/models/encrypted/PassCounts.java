package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.ForwardingArithmetic;
import io.polyhe.he.circuits.SimulatedCiphertext;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyRecorder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Key switches of one pass by component, from a dry run ({@link DepthSimulator}: no keys, no
 * ciphertexts, seconds for a small model): the machine-independent measure of a pass's work, and
 * what shows how that work depends on the number of rows (docs/decisions.md, issue 20,
 * generation). Each rotation (hoisted ones each count) and relinearisation counts once, under the
 * component of the span open when it runs; refreshes are counted apart (they are round trips or
 * bootstraps, not key switches of the pass).
 *
 * @param tokens rows of the pass
 * @param ciphertexts ciphertexts the rows take
 * @param refreshes refreshes the pass makes
 * @param keySwitches key switches in all (equal to the simulator's count)
 * @param byComponent key switches per component, components without any left out
 */
public record PassCounts(int tokens, int ciphertexts, int refreshes, long keySwitches,
    Map<Component, Long> byComponent) {

  public PassCounts {
    byComponent = Collections.unmodifiableMap(new EnumMap<>(byComponent));
  }

  /**
   * Dry-runs a pass of {@code model} over {@code tokens} rows.
   *
   * @throws IllegalArgumentException if {@code tokens} is outside the model's context
   * @throws IllegalStateException if a key switch runs outside every span (a pass step left unlabelled)
   */
  public static PassCounts of(EncryptedTransformer model, int tokens) {
    DepthSimulator sim = new DepthSimulator(model.parameters());
    RefreshPoints<SimulatedCiphertext> points = RefreshPoints.simulated();
    List<SimulatedCiphertext> inputs = new ArrayList<>();
    for (int a = 0; a < model.layout().ciphertexts(tokens); a++) {
      inputs.add(sim.fresh(model.topLevel(), model.streamScale()));
    }
    LatencyRecorder recorder = new LatencyRecorder();
    Counting<SimulatedCiphertext> counting = new Counting<>(sim, recorder);
    model.forward(counting, inputs, tokens, points, recorder);
    long total = counting.byComponent.values().stream().mapToLong(Long::longValue).sum();
    if (total != sim.counts().keySwitches()) {
      throw new IllegalStateException("counted " + total + " key switches, the simulator " + sim.counts().keySwitches());
    }
    return new PassCounts(tokens, inputs.size(), points.refreshes(), total, counting.byComponent);
  }

  /** Key switches of {@code component} (0 if none). */
  public long of(Component component) {
    return byComponent.getOrDefault(component, 0L);
  }

  // Counts as the simulator does: no rotation by 0, no relinearisation of a linear ciphertext.
  static final class Counting<C> extends ForwardingArithmetic<C> {
    private final LatencyRecorder recorder;
    private final Map<Component, Long> byComponent = new EnumMap<>(Component.class);

    Counting(Arithmetic<C> delegate, LatencyRecorder recorder) {
      super(delegate);
      this.recorder = recorder;
    }

    private void count(long n) {
      if (n == 0) {
        return;
      }
      Component c = recorder.openComponent();
      if (c == null) {
        throw new IllegalStateException("a key switch outside every span of the pass");
      }
      byComponent.merge(c, n, Long::sum);
    }

    @Override
    public C relinearize(C a) {
      count(size(a) > 2 ? 1 : 0);
      return super.relinearize(a);
    }

    @Override
    public C mulRelin(C a, C b) {
      count(1);
      return super.mulRelin(a, b);
    }

    @Override
    public C rotate(C a, int steps) {
      count(steps % parameters().slots() != 0 ? 1 : 0);
      return super.rotate(a, steps);
    }

    @Override
    public C conjugate(C a) {
      count(1);
      return super.conjugate(a);
    }

    @Override
    public C[] rotateHoisted(C a, int[] steps) {
      long n = 0;
      for (int s : steps) {
        n += s % parameters().slots() != 0 ? 1 : 0;
      }
      count(n);
      return super.rotateHoisted(a, steps);
    }

    // Each rotated term of a sum is one key switch (its ModDown shared), as the simulator counts it.
    @Override
    public C sumOfRotations(C[] terms, int[] steps) {
      long n = 0;
      for (int s : steps) {
        n += s % parameters().slots() != 0 ? 1 : 0;
      }
      count(n);
      return super.sumOfRotations(terms, steps);
    }
  }
}
