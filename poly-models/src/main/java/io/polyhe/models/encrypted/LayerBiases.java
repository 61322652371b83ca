package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.PlainVector;

/**
 * One layer's biases laid out for the rows in use (see {@link RowPlaintexts}): each linear map's
 * folded bias repeated at the start of every row in use, nothing after the last one, so rows
 * beyond the prompt stay near zero. With rotary positions the query and key biases of row t are
 * those of its absolute position ({@link FoldedWeights#biasAtPosition}). Immutable.
 *
 * @param q query projection
 * @param k key projection
 * @param v value projection
 * @param o attention output projection
 * @param up FFN up projection
 * @param down FFN down projection
 */
record LayerBiases(PlainVector q, PlainVector k, PlainVector v, PlainVector o, PlainVector up, PlainVector down) {

  /**
   * Layer {@code layer}'s biases for {@code count} rows of stride {@code stride} whose first is
   * position {@code firstRow}.
   */
  static LayerBiases of(FoldedWeights folded, int layer, int firstRow, int count, int stride) {
    FoldedWeights.Layer w = folded.layers().get(layer);
    return new LayerBiases(
        RowPlaintexts.rowBias(t -> folded.biasAtPosition(w.q(), firstRow + t), count, stride),
        RowPlaintexts.rowBias(t -> folded.biasAtPosition(w.k(), firstRow + t), count, stride),
        RowPlaintexts.rowBias(w.v().b(), count, stride),
        RowPlaintexts.rowBias(w.o().b(), count, stride), RowPlaintexts.rowBias(w.up().b(), count, stride),
        RowPlaintexts.rowBias(w.down().b(), count, stride));
  }
}
