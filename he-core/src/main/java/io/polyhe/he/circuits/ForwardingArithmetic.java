package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import java.util.Objects;

/**
 * An {@link Arithmetic} that passes every method, the interface's default methods included, to a
 * delegate: the base of every decorator (profiling, cancellation), which overrides only what it
 * adds to. Forwarding the default methods matters: a decorator that inherited {@link
 * Arithmetic#mulConstantSum}'s default instead would run the spelled-out sum rather than the
 * delegate's fused kernel, so a decorated pass would run other, slower code than an undecorated
 * one. A test fails when a method of {@code Arithmetic} is not forwarded here or by a decorator.
 *
 * <p>An override that adds work before or after calling {@code super} keeps the forwarding; one
 * that does not call {@code super} must say why. Thread-safe as the delegate is.
 *
 * @param <C> the ciphertext type
 */
public abstract class ForwardingArithmetic<C> implements Arithmetic<C> {
  private final Arithmetic<C> delegate;

  /** @throws NullPointerException if {@code delegate} is null */
  protected ForwardingArithmetic(Arithmetic<C> delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The arithmetic every call goes to. */
  protected final Arithmetic<C> delegate() {
    return delegate;
  }

  @Override
  public CkksParameters parameters() {
    return delegate.parameters();
  }

  @Override
  public int level(C a) {
    return delegate.level(a);
  }

  @Override
  public double scale(C a) {
    return delegate.scale(a);
  }

  @Override
  public int size(C a) {
    return delegate.size(a);
  }

  @Override
  public C add(C a, C b) {
    return delegate.add(a, b);
  }

  /**
   * The delegate's accumulator (its in-place sum, where it has one), each term passed through
   * {@link #accumulate}, where a decorator that acts on {@link #add} acts on an accumulated
   * addition too.
   */
  @Override
  public Accumulator<C> accumulator() {
    Accumulator<C> inner = delegate.accumulator();
    return new Accumulator<>() {
      @Override
      public void add(C term) {
        accumulate(inner, term);
      }

      @Override
      public boolean isEmpty() {
        return inner.isEmpty();
      }

      @Override
      public C result() {
        return inner.result();
      }
    };
  }

  /**
   * Adds {@code term} to {@code sum}, the delegate's accumulator: the hook of every term of an
   * {@link #accumulator()}. The first term of an empty sum costs no arithmetic ({@code
   * sum.isEmpty()} tells). A decorator that overrides {@link #add} overrides this too.
   */
  protected void accumulate(Accumulator<C> sum, C term) {
    sum.add(term);
  }

  @Override
  public C sub(C a, C b) {
    return delegate.sub(a, b);
  }

  @Override
  public C negate(C a) {
    return delegate.negate(a);
  }

  @Override
  public C addConstant(C a, double c) {
    return delegate.addConstant(a, c);
  }

  @Override
  public C mulConstant(C a, double c, double constantScale) {
    return delegate.mulConstant(a, c, constantScale);
  }

  @Override
  public C mulInteger(C a, long k) {
    return delegate.mulInteger(a, k);
  }

  @Override
  public C reinterpretScale(C a, double scale) {
    return delegate.reinterpretScale(a, scale);
  }

  @Override
  public C mul(C a, C b) {
    return delegate.mul(a, b);
  }

  @Override
  public C relinearize(C a) {
    return delegate.relinearize(a);
  }

  @Override
  public C mulRelin(C a, C b) {
    return delegate.mulRelin(a, b);
  }

  @Override
  public C rescale(C a) {
    return delegate.rescale(a);
  }

  @Override
  public C dropToLevel(C a, int level) {
    return delegate.dropToLevel(a, level);
  }

  @Override
  public C rotate(C a, int steps) {
    return delegate.rotate(a, steps);
  }

  @Override
  public C conjugate(C a) {
    return delegate.conjugate(a);
  }

  @Override
  public C modRaise(C a) {
    return delegate.modRaise(a);
  }

  @Override
  public C[] rotateHoisted(C a, int[] steps) {
    return delegate.rotateHoisted(a, steps);
  }

  @Override
  public C sumOfRotations(C[] terms, int[] steps) {
    return delegate.sumOfRotations(terms, steps);
  }

  @Override
  public C mulPlain(C a, PlainVector v, double plainScale) {
    return delegate.mulPlain(a, v, plainScale);
  }

  @Override
  public C mulPlainSum(C[] cts, PlainVector[] vs, double plainScale) {
    return delegate.mulPlainSum(cts, vs, plainScale);
  }

  @Override
  public C mulConstantSum(C[] cts, double[] c, double[] constantScales, int level) {
    return delegate.mulConstantSum(cts, c, constantScales, level);
  }

  @Override
  public C addPlain(C a, PlainVector v) {
    return delegate.addPlain(a, v);
  }

  @Override
  public double q(int level) {
    return delegate.q(level);
  }
}
