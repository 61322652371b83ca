package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;

/**
 * An encoded message: one polynomial over {@code q_0..q_level} in NTT form, with the scale its
 * values were multiplied by. Immutable: the polynomial is never handed out for writing.
 */
public final class Plaintext implements HeObject {
  private final RlweParameters params;
  private final RnsPoly poly;
  private final double scale;

  /**
   * Takes ownership of {@code poly} (NTT form, reduced residues).
   *
   * @throws IllegalArgumentException if the polynomial is not in NTT form or the scale is not a
   *     positive finite number
   */
  public Plaintext(RlweParameters params, RnsPoly poly, double scale) {
    if (!poly.isNtt()) {
      throw new IllegalArgumentException("plaintext polynomial must be in NTT form");
    }
    Ciphertext.checkScale(scale);
    Ciphertext.checkOverQ(params, poly);
    this.params = params;
    this.poly = poly;
    this.scale = scale;
  }

  @Override
  public RlweParameters parameters() {
    return params;
  }

  /** The polynomial; callers must not write it. */
  public RnsPoly poly() {
    return poly;
  }

  public int level() {
    return poly.limbCount() - 1;
  }

  public double scale() {
    return scale;
  }

  @Override
  public String toString() {
    return "Plaintext(level=" + level() + ", scale=2^" + String.format("%.2f", Math.log(scale) / Math.log(2))
        + ", params=" + params.shortHash() + ")";
  }
}
