package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Accumulator;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.ForwardingArithmetic;
import io.polyhe.he.circuits.PlainVector;
import java.util.Objects;

/**
 * An {@link Arithmetic} decorator that asks, before every operation, whether its pass must stop
 * (client gone, deadline passed, server stopping) and then throws, so a forward pass stops within
 * one operation (milliseconds) instead of running to its end. Queries ({@code level}, {@code
 * scale}, {@code size}, {@code parameters}, {@code q}) and the free {@code reinterpretScale} are not
 * checked. Every method, fused ones included, goes to the delegate, so results and the code that
 * runs are the delegate's. Thread-safe as the delegate and the check are.
 *
 * @param <C> the ciphertext type
 */
public final class CancellableArithmetic<C> extends ForwardingArithmetic<C> {

  /** Throws (typically {@link java.util.concurrent.CancellationException}) when work must stop. */
  @FunctionalInterface
  public interface Check {
    /** A check that never stops a pass (a local run). */
    Check NEVER = () -> { };

    void throwIfCancelled();
  }

  private final Check check;

  public CancellableArithmetic(Arithmetic<C> delegate, Check check) {
    super(delegate);
    this.check = Objects.requireNonNull(check, "check");
  }

  @Override
  public C add(C a, C b) {
    check.throwIfCancelled();
    return super.add(a, b);
  }

  /** Checked as {@link #add} is, the first term included. */
  @Override
  protected void accumulate(Accumulator<C> sum, C term) {
    check.throwIfCancelled();
    super.accumulate(sum, term);
  }

  @Override
  public C sub(C a, C b) {
    check.throwIfCancelled();
    return super.sub(a, b);
  }

  @Override
  public C negate(C a) {
    check.throwIfCancelled();
    return super.negate(a);
  }

  @Override
  public C addConstant(C a, double c) {
    check.throwIfCancelled();
    return super.addConstant(a, c);
  }

  @Override
  public C mulConstant(C a, double c, double constantScale) {
    check.throwIfCancelled();
    return super.mulConstant(a, c, constantScale);
  }

  @Override
  public C mulInteger(C a, long k) {
    check.throwIfCancelled();
    return super.mulInteger(a, k);
  }

  @Override
  public C mul(C a, C b) {
    check.throwIfCancelled();
    return super.mul(a, b);
  }

  @Override
  public C relinearize(C a) {
    check.throwIfCancelled();
    return super.relinearize(a);
  }

  @Override
  public C mulRelin(C a, C b) {
    check.throwIfCancelled();
    return super.mulRelin(a, b);
  }

  @Override
  public C rescale(C a) {
    check.throwIfCancelled();
    return super.rescale(a);
  }

  @Override
  public C dropToLevel(C a, int level) {
    check.throwIfCancelled();
    return super.dropToLevel(a, level);
  }

  @Override
  public C rotate(C a, int steps) {
    check.throwIfCancelled();
    return super.rotate(a, steps);
  }

  @Override
  public C conjugate(C a) {
    check.throwIfCancelled();
    return super.conjugate(a);
  }

  @Override
  public C modRaise(C a) {
    check.throwIfCancelled();
    return super.modRaise(a);
  }

  @Override
  public C sumOfRotations(C[] terms, int[] steps) {
    check.throwIfCancelled();
    return super.sumOfRotations(terms, steps);
  }

  @Override
  public C[] rotateHoisted(C a, int[] steps) {
    check.throwIfCancelled();
    return super.rotateHoisted(a, steps);
  }

  @Override
  public C mulPlain(C a, PlainVector v, double plainScale) {
    check.throwIfCancelled();
    return super.mulPlain(a, v, plainScale);
  }

  @Override
  public C mulPlainSum(C[] cts, PlainVector[] vs, double plainScale) {
    check.throwIfCancelled();
    return super.mulPlainSum(cts, vs, plainScale);
  }

  @Override
  public C mulConstantSum(C[] cts, double[] c, double[] constantScales, int level) {
    check.throwIfCancelled();
    return super.mulConstantSum(cts, c, constantScales, level);
  }

  @Override
  public C addPlain(C a, PlainVector v) {
    check.throwIfCancelled();
    return super.addPlain(a, v);
  }
}
