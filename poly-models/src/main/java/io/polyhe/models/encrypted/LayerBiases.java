package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.PlainVector;

/**
 * One layer's biases laid out for the rows in use (see {@link RowPlaintexts}): each linear map's
 * folded bias repeated at the start of every row in use, nothing after the last one, so rows
 * beyond the prompt stay near zero. Immutable.
 *
 * @param q query projection
 * @param k key projection
 * @param v value projection
 * @param o attention output projection
 * @param up FFN up projection
 * @param down FFN down projection
 */
record LayerBiases(PlainVector q, PlainVector k, PlainVector v, PlainVector o, PlainVector up, PlainVector down) {

  /** {@code w}'s biases for the first {@code count} rows of stride {@code stride}. */
  static LayerBiases of(FoldedWeights.Layer w, int count, int stride) {
    return new LayerBiases(RowPlaintexts.rowBias(w.q().b(), count, stride),
        RowPlaintexts.rowBias(w.k().b(), count, stride), RowPlaintexts.rowBias(w.v().b(), count, stride),
        RowPlaintexts.rowBias(w.o().b(), count, stride), RowPlaintexts.rowBias(w.up().b(), count, stride),
        RowPlaintexts.rowBias(w.down().b(), count, stride));
  }
}
