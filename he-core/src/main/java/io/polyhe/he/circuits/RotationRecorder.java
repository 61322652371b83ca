package io.polyhe.he.circuits;

import io.polyhe.he.rlwe.RlweParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Arithmetic} that records every rotation call (single, hoisted, or the rotations of one
 * term of a sum of rotations) as a {@link RotationSet.Call} weighted by what a decomposition and a
 * finish cost at the call's level, for {@link RotationSet#choose}. Usually wraps a {@link
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

  /**
   * The call's weights in limb NTTs at {@code a}'s level ({@code l + 1 + K} limbs, {@code d}
   * digits): a decomposition is an inverse and a forward NTT per digit over all limbs, {@code d ·
   * limbs}; a finish is the inner product (2 parts × d digits of multiply-adds per limb, about 0.3
   * of a limb NTT per digit at N = 2^14) plus a ModDown of both parts ({@code 2 · limbs}); a summed
   * finish is the inner product alone.
   */
  private RotationSet.Call call(C a, int[] steps, boolean summed) {
    RlweParameters p = parameters().rlwe();
    int level = level(a);
    double limbs = level + 1 + p.pCount();
    double digits = p.digitCount(level);
    double product = INNER_PRODUCT * digits * limbs;
    return new RotationSet.Call(steps.clone(), summed, digits * limbs, product + 2 * limbs, product);
  }

  /**
   * An inner product per digit and limb in limb NTTs: 2 multiply-adds per coefficient against an
   * NTT's (log2 N)/2 butterflies per coefficient, 7 at N = 2^14.
   */
  static final double INNER_PRODUCT = 0.3;

  @Override
  public C rotate(C a, int steps) {
    calls.add(call(a, new int[] {steps}, false));
    return super.rotate(a, steps);
  }

  @Override
  public C[] rotateHoisted(C a, int[] steps) {
    calls.add(call(a, steps, false));
    return super.rotateHoisted(a, steps);
  }

  /** One summed call per distinct term (by identity): its steps share its decomposition. */
  @Override
  public C sumOfRotations(C[] terms, int[] steps) {
    java.util.IdentityHashMap<C, List<Integer>> byTerm = new java.util.IdentityHashMap<>();
    List<C> order = new ArrayList<>();
    for (int i = 0; i < terms.length && i < steps.length; i++) {
      if (!byTerm.containsKey(terms[i])) {
        order.add(terms[i]);
      }
      byTerm.computeIfAbsent(terms[i], t -> new ArrayList<>()).add(steps[i]);
    }
    for (C t : order) {
      calls.add(call(t, byTerm.get(t).stream().mapToInt(Integer::intValue).toArray(), true));
    }
    return super.sumOfRotations(terms, steps);
  }
}
