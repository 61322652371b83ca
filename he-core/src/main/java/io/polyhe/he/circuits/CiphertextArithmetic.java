package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.ModRaise;

/**
 * {@link Arithmetic} over real ciphertexts: a thin adapter over an {@link Evaluator} (keys) and a
 * {@link CkksEncoder} of the same context (plaintext vectors, whose encodings {@link PlainVector}
 * caches). Thread-safe as its parts are.
 */
public final class CiphertextArithmetic implements Arithmetic<Ciphertext> {
  private final Evaluator evaluator;
  private final CkksEncoder encoder;
  private final CkksParameters params;

  /** Arithmetic with the evaluator's keys and an encoder of the evaluator's context. */
  public CiphertextArithmetic(Evaluator evaluator) {
    this.evaluator = evaluator;
    this.encoder = new CkksEncoder(evaluator.context());
    this.params = evaluator.context().parameters();
  }

  public Evaluator evaluator() {
    return evaluator;
  }

  public CkksEncoder encoder() {
    return encoder;
  }

  @Override
  public CkksParameters parameters() {
    return params;
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
    return evaluator.add(a, b);
  }

  /** Adds in place into polynomials the accumulator owns ({@link Evaluator#sum()}). */
  @Override
  public Accumulator<Ciphertext> accumulator() {
    io.polyhe.he.ckks.CiphertextSum sum = evaluator.sum();
    return new Accumulator<>() {
      @Override
      public void add(Ciphertext term) {
        sum.add(term);
      }

      @Override
      public boolean isEmpty() {
        return sum.isEmpty();
      }

      @Override
      public Ciphertext result() {
        return sum.result();
      }
    };
  }

  @Override
  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    return evaluator.sub(a, b);
  }

  @Override
  public Ciphertext negate(Ciphertext a) {
    return evaluator.negate(a);
  }

  @Override
  public Ciphertext addConstant(Ciphertext a, double c) {
    return evaluator.addConstant(a, c);
  }

  @Override
  public Ciphertext mulConstant(Ciphertext a, double c, double constantScale) {
    return evaluator.mulConstant(a, c, constantScale);
  }

  @Override
  public Ciphertext mulInteger(Ciphertext a, long k) {
    return evaluator.mulInteger(a, k);
  }

  @Override
  public Ciphertext reinterpretScale(Ciphertext a, double scale) {
    if (!Ciphertext.isValidScale(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
    // Ciphertexts are immutable and nobody writes their polynomials, so sharing them is safe.
    // (Wished-for API: Evaluator.reinterpretScale, which would not need this.)
    RnsPoly[] polys = new RnsPoly[a.size()];
    for (int i = 0; i < polys.length; i++) {
      polys[i] = a.poly(i);
    }
    return new Ciphertext(a.parameters(), polys, scale);
  }

  @Override
  public Ciphertext mul(Ciphertext a, Ciphertext b) {
    return a == b ? evaluator.square(a) : evaluator.mul(a, b);
  }

  @Override
  public Ciphertext relinearize(Ciphertext a) {
    return evaluator.relinearize(a);
  }

  @Override
  public Ciphertext rescale(Ciphertext a) {
    return evaluator.rescale(a);
  }

  @Override
  public Ciphertext dropToLevel(Ciphertext a, int level) {
    return a.level() == level ? a : evaluator.dropToLevel(a, level);
  }

  @Override
  public Ciphertext rotate(Ciphertext a, int steps) {
    return evaluator.rotate(a, steps);
  }

  @Override
  public Ciphertext sumOfRotations(Ciphertext[] terms, int[] steps) {
    return evaluator.sumOfRotations(terms, steps);
  }

  @Override
  public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps) {
    return evaluator.rotateHoisted(a, steps);
  }

  @Override
  public Ciphertext conjugate(Ciphertext a) {
    return evaluator.conjugate(a);
  }

  @Override
  public Ciphertext modRaise(Ciphertext a) {
    return ModRaise.raise(evaluator.context().rlwe(), a, params.maxLevel());
  }

  @Override
  public Ciphertext mulPlain(Ciphertext a, PlainVector v, double plainScale) {
    return evaluator.mulPlain(a, v.encoded(encoder, params, a.level(), plainScale));
  }

  @Override
  public Ciphertext mulPlainSum(Ciphertext[] cts, PlainVector[] vs, double plainScale) {
    if (cts.length == 0 || cts.length != vs.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + vs.length + " plaintext vectors");
    }
    io.polyhe.he.rlwe.Plaintext[] pts = new io.polyhe.he.rlwe.Plaintext[vs.length];
    for (int i = 0; i < vs.length; i++) {
      pts[i] = vs[i].encoded(encoder, params, cts[i].level(), plainScale);
    }
    return evaluator.mulPlainSum(cts, pts);
  }

  @Override
  public Ciphertext mulConstantSum(Ciphertext[] cts, double[] c, double[] constantScales, int level) {
    return evaluator.mulConstantSum(cts, c, constantScales, level);
  }

  @Override
  public Ciphertext addPlain(Ciphertext a, PlainVector v) {
    return evaluator.addPlain(a, v.encoded(encoder, params, a.level(), a.scale()));
  }
}
