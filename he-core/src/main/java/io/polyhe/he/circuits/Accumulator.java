package io.polyhe.he.circuits;

/**
 * A running sum {@code t_0 + t_1 + ...} of values of one {@link Arithmetic}, made by {@link
 * Arithmetic#accumulator()}: the form of every {@code acc = add(acc, t)} loop. Its result equals
 * those repeated additions bit for bit (same order, same checks, the first term's scale), but an
 * engine may add in place into a buffer the accumulator owns, so a sum of {@code k} terms allocates
 * one result instead of {@code k - 1}.
 *
 * <p>An accumulator never writes a term it is given (values stay immutable once handed out) and
 * hands its result out once: {@link #result()} closes it, and every later call throws {@link
 * IllegalStateException}. Mismatched terms throw {@link IllegalArgumentException} as {@link
 * Arithmetic#add} does. Not thread-safe: one accumulator belongs to one loop.
 *
 * @param <C> the ciphertext type
 */
public interface Accumulator<C> {

  /** Adds {@code term} to the sum. */
  void add(C term);

  /** True until the first term is added (adding it costs no arithmetic). */
  boolean isEmpty();

  /**
   * The sum, after which this accumulator is closed.
   *
   * @throws IllegalStateException if no term was added, or on a second call
   */
  C result();

  /** The generic form: {@code acc = ar.add(acc, t)} spelled out over {@code ar}. */
  static <C> Accumulator<C> repeatedAddition(Arithmetic<C> ar) {
    return new RepeatedAddition<>(ar);
  }
}
