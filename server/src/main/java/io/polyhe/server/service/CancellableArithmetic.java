package io.polyhe.server.service;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Ciphertext;

/**
 * An {@link Arithmetic} that checks, before every operation, whether its call was cancelled (client
 * gone, deadline passed, server stopping) and then throws, so a forward pass stops within one
 * operation (milliseconds) instead of running to its end. Results are the wrapped arithmetic's.
 */
final class CancellableArithmetic implements Arithmetic<Ciphertext> {
  /** Throws (typically {@link java.util.concurrent.CancellationException}) when work must stop. */
  @FunctionalInterface
  interface Check {
    void throwIfCancelled();
  }

  private final Arithmetic<Ciphertext> inner;
  private final Check check;

  CancellableArithmetic(Arithmetic<Ciphertext> inner, Check check) {
    this.inner = inner;
    this.check = check;
  }

  @Override
  public CkksParameters parameters() {
    return inner.parameters();
  }

  @Override
  public int level(Ciphertext a) {
    return inner.level(a);
  }

  @Override
  public double scale(Ciphertext a) {
    return inner.scale(a);
  }

  @Override
  public int size(Ciphertext a) {
    return inner.size(a);
  }

  @Override
  public Ciphertext add(Ciphertext a, Ciphertext b) {
    check.throwIfCancelled();
    return inner.add(a, b);
  }

  @Override
  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    check.throwIfCancelled();
    return inner.sub(a, b);
  }

  @Override
  public Ciphertext negate(Ciphertext a) {
    check.throwIfCancelled();
    return inner.negate(a);
  }

  @Override
  public Ciphertext addConstant(Ciphertext a, double c) {
    check.throwIfCancelled();
    return inner.addConstant(a, c);
  }

  @Override
  public Ciphertext mulConstant(Ciphertext a, double c, double constantScale) {
    check.throwIfCancelled();
    return inner.mulConstant(a, c, constantScale);
  }

  @Override
  public Ciphertext mulInteger(Ciphertext a, long k) {
    check.throwIfCancelled();
    return inner.mulInteger(a, k);
  }

  @Override
  public Ciphertext withScale(Ciphertext a, double scale) {
    return inner.withScale(a, scale);
  }

  @Override
  public Ciphertext mul(Ciphertext a, Ciphertext b) {
    check.throwIfCancelled();
    return inner.mul(a, b);
  }

  @Override
  public Ciphertext relinearize(Ciphertext a) {
    check.throwIfCancelled();
    return inner.relinearize(a);
  }

  @Override
  public Ciphertext mulRelin(Ciphertext a, Ciphertext b) {
    check.throwIfCancelled();
    return inner.mulRelin(a, b);
  }

  @Override
  public Ciphertext rescale(Ciphertext a) {
    check.throwIfCancelled();
    return inner.rescale(a);
  }

  @Override
  public Ciphertext dropToLevel(Ciphertext a, int level) {
    check.throwIfCancelled();
    return inner.dropToLevel(a, level);
  }

  @Override
  public Ciphertext rotate(Ciphertext a, int steps) {
    check.throwIfCancelled();
    return inner.rotate(a, steps);
  }

  @Override
  public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps) {
    check.throwIfCancelled();
    return inner.rotateHoisted(a, steps);
  }

  @Override
  public Ciphertext conjugate(Ciphertext a) {
    check.throwIfCancelled();
    return inner.conjugate(a);
  }

  @Override
  public Ciphertext modRaise(Ciphertext a) {
    check.throwIfCancelled();
    return inner.modRaise(a);
  }

  @Override
  public Ciphertext mulPlain(Ciphertext a, PlainVector v, double plainScale) {
    check.throwIfCancelled();
    return inner.mulPlain(a, v, plainScale);
  }

  @Override
  public Ciphertext mulPlainSum(Ciphertext[] cts, PlainVector[] vs, double plainScale) {
    check.throwIfCancelled();
    return inner.mulPlainSum(cts, vs, plainScale);
  }

  @Override
  public Ciphertext addPlain(Ciphertext a, PlainVector v) {
    check.throwIfCancelled();
    return inner.addPlain(a, v);
  }

  @Override
  public double q(int level) {
    return inner.q(level);
  }
}
