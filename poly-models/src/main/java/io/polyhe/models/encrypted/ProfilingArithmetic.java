package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.profile.Primitive;
import java.util.function.Supplier;

/**
 * Real-ciphertext {@link Arithmetic} that times every operation by {@link Primitive} into a {@link
 * LatencyRecorder}: relinearisations and rotations are key switches; a plaintext product first
 * fetches (or encodes) its plaintext, timed as encoding, then multiplies. Same results as the
 * {@link CiphertextArithmetic} it wraps. One per forward pass; thread-safe as its parts are.
 */
public final class ProfilingArithmetic implements Arithmetic<Ciphertext> {
  private final CiphertextArithmetic inner;
  private final Evaluator evaluator;
  private final LatencyRecorder recorder;

  public ProfilingArithmetic(CiphertextArithmetic inner, LatencyRecorder recorder) {
    this.inner = inner;
    this.evaluator = inner.evaluator();
    this.recorder = recorder;
  }

  private <T> T timed(Primitive p, Supplier<T> op) {
    long start = System.nanoTime();
    T out = op.get();
    recorder.addPrimitive(p, 1, System.nanoTime() - start);
    return out;
  }

  @Override
  public CkksParameters parameters() {
    return inner.parameters();
  }

  @Override
  public int level(Ciphertext a) {
    return a.level();
  }

  @Override
  public double scale(Ciphertext a) {
    return a.scale();
  }

  @Override
  public int size(Ciphertext a) {
    return a.size();
  }

  @Override
  public Ciphertext add(Ciphertext a, Ciphertext b) {
    return timed(Primitive.ADD, () -> inner.add(a, b));
  }

  @Override
  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    return timed(Primitive.ADD, () -> inner.sub(a, b));
  }

  @Override
  public Ciphertext negate(Ciphertext a) {
    return timed(Primitive.ADD, () -> inner.negate(a));
  }

  @Override
  public Ciphertext addConstant(Ciphertext a, double c) {
    return timed(Primitive.ADD, () -> inner.addConstant(a, c));
  }

  @Override
  public Ciphertext mulConstant(Ciphertext a, double c, double constantScale) {
    return timed(Primitive.CT_PT_MUL, () -> inner.mulConstant(a, c, constantScale));
  }

  @Override
  public Ciphertext mulInteger(Ciphertext a, long k) {
    return timed(Primitive.CT_PT_MUL, () -> inner.mulInteger(a, k));
  }

  @Override
  public Ciphertext withScale(Ciphertext a, double scale) {
    return inner.withScale(a, scale);
  }

  @Override
  public Ciphertext mul(Ciphertext a, Ciphertext b) {
    return timed(Primitive.CT_CT_MUL, () -> inner.mul(a, b));
  }

  @Override
  public Ciphertext relinearize(Ciphertext a) {
    return a.size() == 2 ? a : timed(Primitive.KEY_SWITCH, () -> inner.relinearize(a));
  }

  @Override
  public Ciphertext rescale(Ciphertext a) {
    return timed(Primitive.RESCALE, () -> inner.rescale(a));
  }

  @Override
  public Ciphertext dropToLevel(Ciphertext a, int level) {
    return a.level() == level ? a : timed(Primitive.RESCALE, () -> inner.dropToLevel(a, level));
  }

  @Override
  public Ciphertext rotate(Ciphertext a, int steps) {
    if (Math.floorMod(steps, inner.parameters().slots()) == 0) {
      return inner.rotate(a, steps); // no key switch: the evaluator returns a itself
    }
    return timed(Primitive.KEY_SWITCH, () -> inner.rotate(a, steps));
  }

  @Override
  public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps) {
    long start = System.nanoTime();
    Ciphertext[] out = inner.rotateHoisted(a, steps);
    int slots = inner.parameters().slots();
    long nonZero = java.util.Arrays.stream(steps).filter(s -> Math.floorMod(s, slots) != 0).count();
    recorder.addPrimitive(Primitive.KEY_SWITCH, nonZero, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext conjugate(Ciphertext a) {
    return timed(Primitive.KEY_SWITCH, () -> inner.conjugate(a));
  }

  @Override
  public Ciphertext modRaise(Ciphertext a) {
    // A change of basis, like a rescale's: inverse NTT, lift, NTT.
    return timed(Primitive.RESCALE, () -> inner.modRaise(a));
  }

  @Override
  public Ciphertext mulPlain(Ciphertext a, PlainVector v, double plainScale) {
    Plaintext pt = encoded(v, a.level(), plainScale);
    return timed(Primitive.CT_PT_MUL, () -> evaluator.mulPlain(a, pt));
  }

  @Override
  public Ciphertext mulPlainSum(Ciphertext[] cts, PlainVector[] vs, double plainScale) {
    if (cts.length == 0 || cts.length != vs.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + vs.length + " plaintext vectors");
    }
    Plaintext[] pts = new Plaintext[vs.length];
    for (int i = 0; i < vs.length; i++) {
      pts[i] = encoded(vs[i], cts[i].level(), plainScale);
    }
    long start = System.nanoTime();
    Ciphertext out = evaluator.mulPlainSum(cts, pts);
    recorder.addPrimitive(Primitive.CT_PT_MUL, vs.length, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext mulConstantSum(Ciphertext[] cts, double[] c, double[] constantScales, int level) {
    long start = System.nanoTime();
    Ciphertext out = evaluator.mulConstantSum(cts, c, constantScales, level);
    recorder.addPrimitive(Primitive.CT_PT_MUL, cts.length, System.nanoTime() - start);
    return out;
  }

  @Override
  public Ciphertext addPlain(Ciphertext a, PlainVector v) {
    Plaintext pt = encoded(v, a.level(), a.scale());
    return timed(Primitive.ADD, () -> evaluator.addPlain(a, pt));
  }

  // Cache hits cost a lookup; only encodings actually made count as calls.
  private Plaintext encoded(PlainVector v, int level, double scale) {
    int before = v.cachedEncodings();
    long start = System.nanoTime();
    Plaintext pt = v.encoded(inner.encoder(), inner.parameters(), level, scale);
    recorder.addPrimitive(Primitive.ENCODE, v.cachedEncodings() > before ? 1 : 0, System.nanoTime() - start);
    return pt;
  }
}
