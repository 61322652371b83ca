package io.polyhe.he.circuits;

import java.util.Objects;

/**
 * The generic {@link Accumulator}: {@code acc = ar.add(acc, t)} for every term after the first,
 * each addition a call of {@code ar} (so a dry run or a device engine sees the same additions as
 * the loop it replaces). Not thread-safe.
 *
 * @param <C> the ciphertext type
 */
final class RepeatedAddition<C> implements Accumulator<C> {
  private final Arithmetic<C> ar;
  private C acc;
  private boolean closed;

  RepeatedAddition(Arithmetic<C> ar) {
    this.ar = Objects.requireNonNull(ar, "arithmetic");
  }

  @Override
  public void add(C term) {
    checkOpen();
    acc = acc == null ? Objects.requireNonNull(term, "term") : ar.add(acc, term);
  }

  @Override
  public boolean isEmpty() {
    checkOpen();
    return acc == null;
  }

  @Override
  public C result() {
    if (isEmpty()) {
      throw new IllegalStateException("a sum needs at least one term");
    }
    closed = true;
    C out = acc;
    acc = null;
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the sum was already handed out by result()");
    }
  }
}
