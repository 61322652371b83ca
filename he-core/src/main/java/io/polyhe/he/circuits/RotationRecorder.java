package io.polyhe.he.circuits;

import io.polyhe.he.rlwe.RlweParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Arithmetic} that records every rotation call (single or hoisted) as a {@link
 * RotationSet.Call} weighted by what a key switch costs at the call's level, {@code digits(level) ·
 * (level + 1 + K)} limb products, for {@link RotationSet#choose}. Usually wraps a {@link
 * DepthSimulator}. Not thread-safe.
 *
 * @param <C> the ciphertext type
 */
public final class RotationRecorder<C> extends ForwardingArithmetic<C> {
  private final List<RotationSet.Call> calls = new ArrayList<>();

  public RotationRecorder(Arithmetic<C> delegate) {
    super(delegate);
  }

  /** The calls recorded so far, in order. */
  public List<RotationSet.Call> calls() {
    return List.copyOf(calls);
  }

  private double weight(C a) {
    RlweParameters p = parameters().rlwe();
    int level = level(a);
    return (double) p.digitCount(level) * (level + 1 + p.pCount());
  }

  @Override
  public C rotate(C a, int steps) {
    calls.add(new RotationSet.Call(new int[] {steps}, weight(a)));
    return super.rotate(a, steps);
  }

  @Override
  public C[] rotateHoisted(C a, int[] steps) {
    calls.add(new RotationSet.Call(steps.clone(), weight(a)));
    return super.rotateHoisted(a, steps);
  }
}
