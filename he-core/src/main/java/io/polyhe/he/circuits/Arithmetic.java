package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;

/**
 * The operations a circuit is written against, over values of type {@code C}: real ciphertexts
 * ({@link CiphertextArithmetic}) or simulated ones that carry only level, scale and size ({@link
 * DepthSimulator}). Every circuit of this package is one generic method over an {@code
 * Arithmetic}, so its dry run performs exactly the same sequence of level and scale changes as its
 * real run: the simulation is equal to what happens by construction, and tests check it.
 *
 * <p>Semantics follow {@link io.polyhe.he.ckks.Evaluator}: operations return new values and leave
 * their operands untouched; operands of additions must share level and scale (relative tolerance
 * {@link io.polyhe.he.ckks.Evaluator#SCALE_TOLERANCE}); mismatches throw {@link
 * IllegalArgumentException}, a missing key {@link IllegalStateException}. Scales are real numbers
 * (slot value {@code v} is held as {@code v·scale}); levels count remaining rescales.
 *
 * @param <C> the ciphertext type
 */
public interface Arithmetic<C> {

  /** The parameters every value belongs to. */
  CkksParameters parameters();

  /** Level of {@code a}: how many rescales it can still take. */
  int level(C a);

  /** Scale of {@code a}. */
  double scale(C a);

  /** Number of polynomials: 2, or 3 after {@link #mul} before {@link #relinearize}. */
  int size(C a);

  C add(C a, C b);

  /**
   * An empty running sum for an {@code acc = add(acc, t)} loop: equal to those additions bit for
   * bit. Real arithmetic adds in place into a buffer the accumulator owns (one allocation per sum);
   * the default spells out the additions over this arithmetic.
   */
  default Accumulator<C> accumulator() {
    return Accumulator.repeatedAddition(this);
  }

  C sub(C a, C b);

  C negate(C a);

  /** Adds the real constant {@code c} to every slot (no level, scale unchanged). */
  C addConstant(C a, double c);

  /**
   * Multiplies every slot by {@code c} encoded as {@code round(c·constantScale)}; the scale becomes
   * {@code scale(a)·constantScale} (no rescale).
   *
   * @throws IllegalArgumentException if {@code |c·constantScale| >= 2^62}
   */
  C mulConstant(C a, double c, double constantScale);

  /** Multiplies every slot by the integer {@code k}; scale and level unchanged. */
  C mulInteger(C a, long k);

  /**
   * Reinterprets {@code a}'s polynomials at another scale: nothing is computed, only the scale
   * label changes, so the slot values change, multiplied by {@code scale(a)/scale}. Free; used to
   * apply a constant by bookkeeping alone, or to relabel a scale that equals {@code scale} up to
   * rounding (the value then stays within CKKS precision). Not a rescale: the level is unchanged.
   *
   * @throws IllegalArgumentException unless {@code scale} is finite and at least 1
   */
  C reinterpretScale(C a, double scale);

  /** The tensor product (3 parts), scale the product of the scales; no rescale. */
  C mul(C a, C b);

  /** Back to 2 parts; a 2-part value is returned unchanged. */
  C relinearize(C a);

  /** {@code relinearize(mul(a, b))}. */
  default C mulRelin(C a, C b) {
    return relinearize(mul(a, b));
  }

  /** Divides by {@code q_level}: one level down, scale divided by that prime. */
  C rescale(C a);

  /** Drops primes down to {@code level} (value and scale unchanged). */
  C dropToLevel(C a, int level);

  /** Rotates the slots left by {@code steps} (negative: right). */
  C rotate(C a, int steps);

  /** Rotations of {@code a} by each step sharing one decomposition; step 0 yields {@code a}. */
  C[] rotateHoisted(C a, int[] steps);

  /**
   * {@code Σ_i rotate(terms[i], steps[i])} (step 0: the term itself); the terms share level and
   * scale. Real arithmetic divides the whole sum's key-switched parts by P once (one ModDown
   * instead of one per rotation) and decomposes a term given several times once; the default
   * spells it out.
   */
  default C sumOfRotations(C[] terms, int[] steps) {
    if (terms.length == 0 || terms.length != steps.length) {
      throw new IllegalArgumentException(terms.length + " terms for " + steps.length + " steps");
    }
    Accumulator<C> acc = accumulator();
    for (int i = 0; i < terms.length; i++) {
      acc.add(rotate(terms[i], steps[i]));
    }
    return acc.result();
  }

  /** Conjugates every slot (a key switch with the conjugation's Galois key). */
  C conjugate(C a);

  /**
   * The 2-part, level-0 {@code a} lifted to the top level, same scale: it then decrypts to {@code
   * m + q_0·I} for a small integer polynomial {@code I} (bootstrapping's first step, see {@link
   * io.polyhe.he.rlwe.ModRaise}).
   *
   * @throws IllegalArgumentException unless {@code a} is a 2-part ciphertext at level 0
   */
  C modRaise(C a);

  /**
   * Slot-wise product with {@code v} (real or complex) encoded at {@code a}'s level and scale {@code plainScale};
   * the result's scale is {@code scale(a)·plainScale} (no rescale).
   */
  C mulPlain(C a, PlainVector v, double plainScale);

  /**
   * {@code Σ_i mulPlain(cts[i], vs[i], plainScale)}: the terms share level and scale. Real
   * arithmetic fuses it into one accumulator; the default spells it out.
   */
  default C mulPlainSum(C[] cts, PlainVector[] vs, double plainScale) {
    if (cts.length == 0 || cts.length != vs.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + vs.length + " plaintext vectors");
    }
    C acc = mulPlain(cts[0], vs[0], plainScale);
    for (int i = 1; i < cts.length; i++) {
      acc = add(acc, mulPlain(cts[i], vs[i], plainScale));
    }
    return acc;
  }

  /**
   * {@code Σ_i mulConstant(dropToLevel(cts[i], level), c[i], constantScales[i])}: every product
   * scale agrees, the sum carries the first's. Real arithmetic fuses it into one accumulator
   * without copying the terms; the default spells it out.
   */
  default C mulConstantSum(C[] cts, double[] c, double[] constantScales, int level) {
    if (cts.length == 0 || cts.length != c.length || c.length != constantScales.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + c.length + " constants");
    }
    C acc = null;
    for (int i = 0; i < cts.length; i++) {
      C term = mulConstant(dropToLevel(cts[i], level), c[i], constantScales[i]);
      acc = acc == null ? term : add(acc, reinterpretScale(term, scale(acc)));
    }
    return acc;
  }

  /** Adds {@code v} encoded at {@code a}'s level and scale. */
  C addPlain(C a, PlainVector v);

  /** The prime {@code q_level} a rescale at {@code level} divides by. */
  default double q(int level) {
    return parameters().rlwe().q(level);
  }
}
