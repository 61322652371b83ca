package io.polyhe.models.approx;

/**
 * An activation replaced by a Chebyshev series on its calibrated input range.
 *
 * @param series the polynomial, defined on the calibrated range
 * @param maxAbsError max absolute error against the exact function over the range, recorded
 *     when fitted (finite, non-negative)
 */
public record ChebyshevApproximation(ChebyshevSeries series, double maxAbsError) {

  /** @throws IllegalArgumentException if the error is negative or not finite */
  public ChebyshevApproximation {
    if (!(maxAbsError >= 0 && Double.isFinite(maxAbsError))) {
      throw new IllegalArgumentException("max absolute error must be finite, got " + maxAbsError);
    }
  }

  /** Multiplicative depth on a ciphertext ({@link ChebyshevSeries#encryptedDepth()}). */
  public int encryptedDepth() {
    return series.encryptedDepth();
  }

  /** The polynomial at {@code x}. */
  public double evaluate(double x) {
    return series.evaluate(x);
  }
}
