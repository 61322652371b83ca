package io.polyhe.models.encrypted;

import java.util.List;

/**
 * One step of the encrypted pass ({@link NormBlock}, {@link AttentionBlock}, {@link
 * FeedForwardBlock}, {@link HeadBlock}), written once against the pass's {@link
 * io.polyhe.he.circuits.Arithmetic} so that the planner's dry run and the real run take the same
 * steps. Immutable and thread-safe; the pass carries what changes.
 */
interface Block {

  /**
   * This block on {@code in}, one ciphertext per tile of the pass in order; returns its output,
   * one ciphertext per tile. A block may replace an element of {@code in} by a refreshed copy (the
   * same values with more levels), and the caller then goes on with the copy: the norm refreshes
   * the residual stream it reads this way.
   *
   * @throws IllegalArgumentException if an input has too few levels (the refresh points prevent it
   *     in a planned pass)
   */
  <C> List<C> apply(Pass<C> pass, List<C> in);
}
