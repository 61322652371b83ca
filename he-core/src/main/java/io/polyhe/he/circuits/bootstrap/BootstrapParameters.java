package io.polyhe.he.circuits.bootstrap;

/**
 * The shape of a bootstrapping circuit, apart from the CKKS parameters it runs on.
 *
 * @param logSlots log2 of the slot count n bootstrapped: {@code logN − 1} for full slots, less for
 *     sparse packing (the n values repeat across the N/2 slots)
 * @param coeffsToSlotsLevels levels (merged DFT factors) of CoeffsToSlots
 * @param slotsToCoeffsLevels levels of SlotsToCoeffs
 * @param k bound K on {@code |I| + 1/2}, the integer overflow of ModRaise (depends on the secret's
 *     Hamming weight: its coefficients have standard deviation about {@code sqrt(h/12)})
 * @param doubleAngle double-angle steps r of EvalMod
 * @param sineDegree degree of EvalMod's cosine interpolant on {@code [-K, K]}
 * @param arcSine whether EvalMod applies the arcsine correction
 * @param messageRatioBits log2 of {@code q_0/Δ_in}: inputs above level 0 are first brought to level 0
 *     at scale {@code q_0/2^messageRatioBits}
 * @param cacheDiagonals whether the encoded DFT diagonals are kept between bootstraps
 */
public record BootstrapParameters(int logSlots, int coeffsToSlotsLevels, int slotsToCoeffsLevels, double k,
    int doubleAngle, int sineDegree, boolean arcSine, int messageRatioBits, boolean cacheDiagonals) {

  public BootstrapParameters {
    if (logSlots < 1 || coeffsToSlotsLevels < 1 || slotsToCoeffsLevels < 1
        || coeffsToSlotsLevels > logSlots || slotsToCoeffsLevels > logSlots) {
      throw new IllegalArgumentException("need 1 <= DFT levels <= logSlots, got logSlots " + logSlots
          + ", CoeffsToSlots " + coeffsToSlotsLevels + ", SlotsToCoeffs " + slotsToCoeffsLevels);
    }
    if (!(k >= 1) || doubleAngle < 0 || sineDegree < 1 || messageRatioBits < 1) {
      throw new IllegalArgumentException("need K >= 1, r >= 0, degree >= 1, message ratio >= 1 bit");
    }
  }

  /** The same with another slot count (sparse packing). */
  public BootstrapParameters withLogSlots(int logSlots) {
    return new BootstrapParameters(logSlots, Math.min(coeffsToSlotsLevels, logSlots),
        Math.min(slotsToCoeffsLevels, logSlots), k, doubleAngle, sineDegree, arcSine, messageRatioBits,
        cacheDiagonals);
  }

  /** The same with diagonals cached or not. */
  public BootstrapParameters withCache(boolean cache) {
    return new BootstrapParameters(logSlots, coeffsToSlotsLevels, slotsToCoeffsLevels, k, doubleAngle,
        sineDegree, arcSine, messageRatioBits, cache);
  }
}
