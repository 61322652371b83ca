package io.polyhe.he.circuits;

import io.polyhe.he.ckks.Evaluator;
import java.util.Arrays;
import java.util.List;

/**
 * Small steps that circuits built over an {@link Arithmetic} repeat: a product at the lower level,
 * a mask landing on a chosen scale, an add of values whose scales differ by rounding only, sums,
 * and integer powers by squaring. Each is a fixed sequence of {@link Arithmetic} calls, so a dry run
 * ({@link DepthSimulator}) takes exactly the steps the real run takes.
 *
 * <p>Errors (bounds checked in {@code CiphertextOpsTest} against the same steps in doubles, values
 * in [-1, 1], at scale 2^40): {@link #multiply}, {@link #maskTo}, {@link #addAligned} and {@link
 * #sum} add about one rescale's rounding, within {@code 2^-20}; {@link #power} of degree p
 * compounds it over its {@code ⌈log2 p⌉} products, within {@code p·2^-20}.
 *
 * <p>Stateless and thread-safe. Inputs with too few levels throw an {@link
 * IllegalArgumentException} that says how many are needed.
 */
public final class CiphertextOps {
  private CiphertextOps() {}

  /**
   * {@code a·b} at the lower of the two levels, relinearised and rescaled: one level below that,
   * scale {@code scale(a)·scale(b)/q}.
   *
   * @throws IllegalArgumentException if the lower level is 0
   */
  public static <C> C multiply(Arithmetic<C> ar, C a, C b) {
    int level = Math.min(ar.level(a), ar.level(b));
    Levels.require("a product", level, 1);
    return ar.rescale(ar.mulRelin(ar.dropToLevel(a, level), ar.dropToLevel(b, level)));
  }

  /**
   * {@code v ⊙ mask} one level down, landing exactly on {@code target}: {@code v} is relinearised
   * (a 2-part value is left as is), the mask encoded at {@code target·q/scale(v)}. The mask may
   * carry per-slot factors (a 0/1 mask times a constant costs nothing more); they are encoded at
   * that scale, so it should leave them enough precision.
   *
   * @throws IllegalArgumentException if {@code v} is at level 0, or (from the arithmetic) if the
   *     mask's encoding scale {@code target·q/scale(v)} is below 1
   */
  public static <C> C maskTo(Arithmetic<C> ar, C v, PlainVector mask, double target) {
    Levels.require("a mask", ar.level(v), 1);
    C c = ar.relinearize(v);
    C prod = ar.mulPlain(c, mask, target * ar.q(ar.level(c)) / ar.scale(c));
    return ar.reinterpretScale(ar.rescale(prod), target);
  }

  /**
   * {@code a + b} at the lower of the two levels, {@code b} read at {@code a}'s scale: for values
   * whose scales agree up to the rounding of scale bookkeeping (relative {@link
   * Evaluator#SCALE_TOLERANCE}), such as a residual stream and the output of a block that landed on
   * the stream's scale by another path. The result carries {@code a}'s scale.
   *
   * @throws IllegalStateException if the scales differ by more: the circuit that made them is wrong
   *     (a bookkeeping error, not bad input)
   */
  public static <C> C addAligned(Arithmetic<C> ar, C a, C b) {
    int level = Math.min(ar.level(a), ar.level(b));
    double sa = ar.scale(a);
    double sb = ar.scale(b);
    if (Math.abs(sa - sb) > Evaluator.SCALE_TOLERANCE * Math.max(sa, sb)) {
      throw new IllegalStateException("aligned add of scales " + sa + " and " + sb + ", which differ beyond rounding");
    }
    return ar.add(ar.dropToLevel(a, level), ar.reinterpretScale(ar.dropToLevel(b, level), ar.scale(a)));
  }

  /**
   * {@code terms[0] + terms[1] + ...} in order (the terms share level and scale, as {@link
   * Arithmetic#add} requires).
   *
   * @throws IllegalArgumentException if there are no terms
   */
  public static <C> C sum(Arithmetic<C> ar, List<C> terms) {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("a sum needs at least one term");
    }
    Accumulator<C> acc = ar.accumulator();
    for (C t : terms) {
      acc.add(t);
    }
    return acc.result();
  }

  /** As {@link #sum(Arithmetic, List)} over an array (hoisted rotations return one). */
  public static <C> C sum(Arithmetic<C> ar, C[] terms) {
    return sum(ar, Arrays.asList(terms));
  }

  /**
   * {@code Σ_i rotate(a, steps[i])} as one {@link Arithmetic#sumOfRotations}: one decomposition of
   * {@code a} and one ModDown for the whole sum.
   *
   * @throws IllegalArgumentException if there are no steps
   */
  @SuppressWarnings("unchecked")
  public static <C> C sumOfRotations(Arithmetic<C> ar, C a, int[] steps) {
    C[] terms = (C[]) java.lang.reflect.Array.newInstance(a.getClass(), steps.length);
    Arrays.fill(terms, a);
    return ar.sumOfRotations(terms, steps);
  }

  /**
   * {@code x^p} by squaring: {@link #powerDepth(int) ⌈log2 p⌉} levels; squares are relinearised and
   * rescaled, and each set bit of {@code p} beyond the lowest multiplies the result by the current
   * square ({@link #multiply}). {@code p = 1} returns {@code x} itself.
   *
   * @throws IllegalArgumentException if {@code p < 1} or {@code x} has fewer levels than the depth
   */
  public static <C> C power(Arithmetic<C> ar, C x, int p) {
    if (p < 1) {
      throw new IllegalArgumentException("power must be >= 1, got " + p);
    }
    Levels.require("x^" + p, ar.level(x), powerDepth(p));
    C result = null;
    C base = x;
    int rest = p;
    while (true) {
      if ((rest & 1) != 0) {
        result = result == null ? base : multiply(ar, result, base);
      }
      rest >>= 1;
      if (rest == 0) {
        return result;
      }
      base = ar.rescale(ar.mulRelin(base, base));
    }
  }

  /** Levels {@link #power} takes: {@code ⌈log2 p⌉}. */
  public static int powerDepth(int p) {
    if (p < 1) {
      throw new IllegalArgumentException("power must be >= 1, got " + p);
    }
    return 32 - Integer.numberOfLeadingZeros(p - 1);
  }
}
