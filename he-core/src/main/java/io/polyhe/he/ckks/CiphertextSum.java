package io.polyhe.he.ckks;

import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.RlweContext;
import java.util.Arrays;

/**
 * A running sum {@code t_0 + t_1 + ... } of ciphertexts that adds each term in place into
 * polynomials it owns, so a sum of {@code k} terms allocates one ciphertext's polynomials instead
 * of the {@code k - 1} that repeated {@link Evaluator#add} makes. Made by {@link Evaluator#sum()}.
 *
 * <p>The result equals {@code add(...add(add(t_0, t_1), t_2)..., t_k)} bit for bit: same operand
 * order, same checks (terms of this context, one level, scales equal within {@link
 * Evaluator#SCALE_TOLERANCE}, {@link IllegalArgumentException} otherwise, the sum unchanged), the
 * first term's scale, the largest term's size.
 *
 * <p>Never writes a term: the first is held by reference until the second arrives, then both are
 * added into fresh polynomials (the one allocation, plus a copy of a third part if a later term
 * brings one). {@link #result()} hands those polynomials out once, as a ciphertext that nobody
 * writes afterwards; the sum then refuses every call with {@link IllegalStateException}. Not
 * thread-safe: one sum belongs to one thread.
 */
public final class CiphertextSum {
  private final RlweContext rlwe;
  private final RnsRing ring;
  /** The only term so far (not ours: never written), or null. */
  private Ciphertext first;
  /** The sum of two or more terms, ours; null before the second term. */
  private RnsPoly[] owned;
  private int level;
  private double scale;
  private boolean closed;

  CiphertextSum(RlweContext rlwe) {
    this.rlwe = rlwe;
    this.ring = rlwe.ring();
  }

  /** True until the first term is added. */
  public boolean isEmpty() {
    checkOpen();
    return first == null && owned == null;
  }

  /**
   * Adds {@code term}.
   *
   * @throws IllegalArgumentException if the term belongs to other parameters or differs in level or
   *     scale from the first
   * @throws IllegalStateException after {@link #result()}
   */
  public void add(Ciphertext term) {
    checkOpen();
    rlwe.checkOwns(term);
    if (isEmpty()) {
      first = term;
      level = term.level();
      scale = term.scale();
      return;
    }
    Evaluator.checkSameLevel(level, term.level());
    Evaluator.checkSameScale(scale, term.scale());
    if (owned == null) {
      owned = new RnsPoly[Math.max(first.size(), term.size())];
      for (int i = 0; i < owned.length; i++) {
        if (i < first.size() && i < term.size()) {
          owned[i] = new RnsPoly(first.poly(i).basis(), true);
          ring.add(first.poly(i), term.poly(i), owned[i]);
        } else {
          owned[i] = (i < first.size() ? first.poly(i) : term.poly(i)).copy();
        }
      }
      first = null;
      return;
    }
    int common = Math.min(owned.length, term.size());
    for (int i = 0; i < common; i++) {
      ring.add(owned[i], term.poly(i), owned[i]);
    }
    if (term.size() > owned.length) {
      owned = Arrays.copyOf(owned, term.size());
      for (int i = common; i < owned.length; i++) {
        owned[i] = term.poly(i).copy();
      }
    }
  }

  /**
   * The sum, handed out once: the only term itself if there was one, else a ciphertext over this
   * sum's polynomials, which it gives up.
   *
   * @throws IllegalStateException if no term was added, or after an earlier call
   */
  public Ciphertext result() {
    if (isEmpty()) {
      throw new IllegalStateException("a sum needs at least one term");
    }
    closed = true;
    Ciphertext out = first != null ? first : new Ciphertext(rlwe.parameters(), owned, scale);
    first = null;
    owned = null;
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the sum was already handed out by result()");
    }
  }
}
