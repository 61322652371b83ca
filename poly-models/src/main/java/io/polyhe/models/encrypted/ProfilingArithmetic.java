package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Accumulator;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.ForwardingArithmetic;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.profile.Primitive;
import java.util.function.Supplier;

/**
 * Real-ciphertext {@link Arithmetic} decorator that times every operation by {@link Primitive} into
 * a {@link LatencyRecorder}: relinearisations and rotations are key switches; a plaintext product
 * first fetches (or encodes) its plaintext into the vector's cache, timed as encoding, then the
 * delegate multiplies (finding it cached). Every method goes to the delegate, fused ones (sums of
 * products) as they are, so results and the code that runs are the delegate's; only {@code
 * mulRelin} is spelled out as its product and relinearisation, to time the two apart (the real
 * arithmetic runs it that way too). Operations that do nothing (relinearising a 2-part value,
 * dropping to its own level, rotating by a multiple of the slot count) are forwarded but not
 * counted. One per forward pass; thread-safe as its parts are.
 */
public final class ProfilingArithmetic extends ForwardingArithmetic<Ciphertext> {
  private final CkksEncoder encoder;
  private final LatencyRecorder recorder;

  public ProfilingArithmetic(CiphertextArithmetic inner, LatencyRecorder recorder) {
    this(inner, inner.encoder(), recorder);
  }

  /**
   * Over any real-ciphertext arithmetic; {@code encoder} must encode for the delegate's context
   * (plaintext encodings are cached per parameters, level and scale, not per encoder).
   */
  ProfilingArithmetic(Arithmetic<Ciphertext> delegate, CkksEncoder encoder, LatencyRecorder recorder) {
    super(delegate);
    this.encoder = encoder;
    this.recorder = recorder;
  }

  private <T> T timed(Primitive p, Supplier<T> op) {
    long start = System.nanoTime();
    T out = op.get();
    recorder.addPrimitive(p, 1, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext add(Ciphertext a, Ciphertext b) {
    return timed(Primitive.ADD, () -> super.add(a, b));
  }

  /** Times each accumulated addition as {@link #add} is timed; the first term adds nothing. */
  @Override
  protected void accumulate(Accumulator<Ciphertext> sum, Ciphertext term) {
    if (sum.isEmpty()) {
      super.accumulate(sum, term);
      return;
    }
    timed(Primitive.ADD, () -> {
      super.accumulate(sum, term);
      return null;
    });
  }

  @Override
  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    return timed(Primitive.ADD, () -> super.sub(a, b));
  }

  @Override
  public Ciphertext negate(Ciphertext a) {
    return timed(Primitive.ADD, () -> super.negate(a));
  }

  @Override
  public Ciphertext addConstant(Ciphertext a, double c) {
    return timed(Primitive.ADD, () -> super.addConstant(a, c));
  }

  @Override
  public Ciphertext mulConstant(Ciphertext a, double c, double constantScale) {
    return timed(Primitive.CT_PT_MUL, () -> super.mulConstant(a, c, constantScale));
  }

  @Override
  public Ciphertext mulInteger(Ciphertext a, long k) {
    return timed(Primitive.CT_PT_MUL, () -> super.mulInteger(a, k));
  }

  @Override
  public Ciphertext mul(Ciphertext a, Ciphertext b) {
    return timed(Primitive.CT_CT_MUL, () -> super.mul(a, b));
  }

  @Override
  public Ciphertext relinearize(Ciphertext a) {
    return a.size() == 2 ? super.relinearize(a) : timed(Primitive.KEY_SWITCH, () -> super.relinearize(a));
  }

  /** Spelled out (the interface's default) so that the product and the key switch are timed apart. */
  @Override
  public Ciphertext mulRelin(Ciphertext a, Ciphertext b) {
    return relinearize(mul(a, b));
  }

  @Override
  public Ciphertext rescale(Ciphertext a) {
    return timed(Primitive.RESCALE, () -> super.rescale(a));
  }

  @Override
  public Ciphertext dropToLevel(Ciphertext a, int level) {
    return a.level() == level ? super.dropToLevel(a, level)
        : timed(Primitive.RESCALE, () -> super.dropToLevel(a, level));
  }

  @Override
  public Ciphertext rotate(Ciphertext a, int steps) {
    if (Math.floorMod(steps, parameters().slots()) == 0) {
      return super.rotate(a, steps); // no key switch: the evaluator returns a itself
    }
    return timed(Primitive.KEY_SWITCH, () -> super.rotate(a, steps));
  }

  @Override
  public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps) {
    long start = System.nanoTime();
    Ciphertext[] out = super.rotateHoisted(a, steps);
    int slots = parameters().slots();
    long nonZero = java.util.Arrays.stream(steps).filter(s -> Math.floorMod(s, slots) != 0).count();
    recorder.addPrimitive(Primitive.KEY_SWITCH, nonZero, System.nanoTime() - start);
    return out;
  }

  /** Timed as key switches, one per rotated term (their sums are part of the key switch). */
  @Override
  public Ciphertext sumOfRotations(Ciphertext[] terms, int[] steps) {
    long start = System.nanoTime();
    Ciphertext out = super.sumOfRotations(terms, steps);
    int slots = parameters().slots();
    long nonZero = java.util.Arrays.stream(steps).filter(s -> Math.floorMod(s, slots) != 0).count();
    recorder.addPrimitive(Primitive.KEY_SWITCH, nonZero, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext conjugate(Ciphertext a) {
    return timed(Primitive.KEY_SWITCH, () -> super.conjugate(a));
  }

  @Override
  public Ciphertext modRaise(Ciphertext a) {
    // A change of basis, like a rescale's: inverse NTT, lift, NTT.
    return timed(Primitive.RESCALE, () -> super.modRaise(a));
  }

  @Override
  public Ciphertext mulPlain(Ciphertext a, PlainVector v, double plainScale) {
    encoded(v, a.level(), plainScale);
    return timed(Primitive.CT_PT_MUL, () -> super.mulPlain(a, v, plainScale));
  }

  @Override
  public Ciphertext mulPlainSum(Ciphertext[] cts, PlainVector[] vs, double plainScale) {
    if (cts.length == 0 || cts.length != vs.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + vs.length + " plaintext vectors");
    }
    for (int i = 0; i < vs.length; i++) {
      encoded(vs[i], cts[i].level(), plainScale);
    }
    long start = System.nanoTime();
    Ciphertext out = super.mulPlainSum(cts, vs, plainScale);
    recorder.addPrimitive(Primitive.CT_PT_MUL, vs.length, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext mulConstantSum(Ciphertext[] cts, double[] c, double[] constantScales, int level) {
    long start = System.nanoTime();
    Ciphertext out = super.mulConstantSum(cts, c, constantScales, level);
    recorder.addPrimitive(Primitive.CT_PT_MUL, cts.length, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext addPlain(Ciphertext a, PlainVector v) {
    encoded(v, a.level(), a.scale());
    return timed(Primitive.ADD, () -> super.addPlain(a, v));
  }

  // Puts the encoding in the vector's cache, where the delegate finds it. Cache hits cost a lookup;
  // only encodings actually made count as calls.
  private void encoded(PlainVector v, int level, double scale) {
    int before = v.cachedEncodings();
    long start = System.nanoTime();
    v.encoded(encoder, parameters(), level, scale);
    recorder.addPrimitive(Primitive.ENCODE, v.cachedEncodings() > before ? 1 : 0, System.nanoTime() - start);
  }
}
