package io.polyhe.he.circuits.bootstrap;

import java.util.Objects;

/**
 * The shape of a bootstrapping circuit, apart from the CKKS parameters it runs on. Built with
 * named fields ({@link #builder()}, {@link #toBuilder()}); a field not set keeps its default, the
 * shape of {@link BootstrapPreset#N16_QP1726_H320_128_BOOTSTRAP} (the 128-bit sparse-secret set):
 * full slots at N = 2^16 ({@code logSlots} 15), 3 CoeffsToSlots and 3 SlotsToCoeffs levels, K = 40,
 * r = 3, cosine degree 63, no arcsine, message ratio 2^10, diagonals not cached. Immutable; equal
 * when every field is.
 *
 * <p>Fields:
 *
 * <ul>
 *   <li>{@code logSlots}: log2 of the slot count n bootstrapped: {@code logN − 1} for full slots,
 *       less for sparse packing (the n values repeat across the N/2 slots)
 *   <li>{@code coeffsToSlotsLevels}, {@code slotsToCoeffsLevels}: levels (merged DFT factors) of
 *       CoeffsToSlots and SlotsToCoeffs, each in {@code [1, logSlots]}
 *   <li>{@code k}: bound K on {@code |I| + 1/2}, the integer overflow of ModRaise (depends on the
 *       secret's Hamming weight: its coefficients have standard deviation about {@code sqrt(h/12)})
 *   <li>{@code doubleAngle}: double-angle steps r of EvalMod
 *   <li>{@code sineDegree}: degree of EvalMod's cosine interpolant on {@code [-K, K]}
 *   <li>{@code arcSine}: whether EvalMod applies the arcsine correction
 *   <li>{@code messageRatioBits}: log2 of {@code q_0/Δ_in}: inputs above level 0 are first brought
 *       to level 0 at scale {@code q_0/2^messageRatioBits}
 *   <li>{@code cacheDiagonals}: whether the encoded DFT diagonals are kept between bootstraps
 * </ul>
 */
public final class BootstrapParameters {
  private final int logSlots;
  private final int coeffsToSlotsLevels;
  private final int slotsToCoeffsLevels;
  private final double k;
  private final int doubleAngle;
  private final int sineDegree;
  private final boolean arcSine;
  private final int messageRatioBits;
  private final boolean cacheDiagonals;

  private BootstrapParameters(Builder b) {
    if (b.logSlots < 1 || b.coeffsToSlotsLevels < 1 || b.slotsToCoeffsLevels < 1
        || b.coeffsToSlotsLevels > b.logSlots || b.slotsToCoeffsLevels > b.logSlots) {
      throw new IllegalArgumentException("need 1 <= DFT levels <= logSlots, got logSlots " + b.logSlots
          + ", CoeffsToSlots " + b.coeffsToSlotsLevels + ", SlotsToCoeffs " + b.slotsToCoeffsLevels);
    }
    if (!(b.k >= 1) || b.doubleAngle < 0 || b.sineDegree < 1 || b.messageRatioBits < 1) {
      throw new IllegalArgumentException("need K >= 1, r >= 0, degree >= 1, message ratio >= 1 bit, got K = "
          + b.k + ", r = " + b.doubleAngle + ", degree " + b.sineDegree + ", ratio " + b.messageRatioBits);
    }
    this.logSlots = b.logSlots;
    this.coeffsToSlotsLevels = b.coeffsToSlotsLevels;
    this.slotsToCoeffsLevels = b.slotsToCoeffsLevels;
    this.k = b.k;
    this.doubleAngle = b.doubleAngle;
    this.sineDegree = b.sineDegree;
    this.arcSine = b.arcSine;
    this.messageRatioBits = b.messageRatioBits;
    this.cacheDiagonals = b.cacheDiagonals;
  }

  /** A builder holding the defaults (see the class documentation). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this shape's fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.logSlots = logSlots;
    b.coeffsToSlotsLevels = coeffsToSlotsLevels;
    b.slotsToCoeffsLevels = slotsToCoeffsLevels;
    b.k = k;
    b.doubleAngle = doubleAngle;
    b.sineDegree = sineDegree;
    b.arcSine = arcSine;
    b.messageRatioBits = messageRatioBits;
    b.cacheDiagonals = cacheDiagonals;
    return b;
  }

  /** The same with another slot count (sparse packing), DFT levels capped at {@code logSlots}. */
  public BootstrapParameters withLogSlots(int logSlots) {
    return toBuilder().logSlots(logSlots).coeffsToSlotsLevels(Math.min(coeffsToSlotsLevels, logSlots))
        .slotsToCoeffsLevels(Math.min(slotsToCoeffsLevels, logSlots)).build();
  }

  /** The same with diagonals cached or not. */
  public BootstrapParameters withCache(boolean cache) {
    return toBuilder().cacheDiagonals(cache).build();
  }

  public int logSlots() {
    return logSlots;
  }

  public int coeffsToSlotsLevels() {
    return coeffsToSlotsLevels;
  }

  public int slotsToCoeffsLevels() {
    return slotsToCoeffsLevels;
  }

  public double k() {
    return k;
  }

  public int doubleAngle() {
    return doubleAngle;
  }

  public int sineDegree() {
    return sineDegree;
  }

  public boolean arcSine() {
    return arcSine;
  }

  public int messageRatioBits() {
    return messageRatioBits;
  }

  public boolean cacheDiagonals() {
    return cacheDiagonals;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BootstrapParameters p && p.logSlots == logSlots
        && p.coeffsToSlotsLevels == coeffsToSlotsLevels && p.slotsToCoeffsLevels == slotsToCoeffsLevels
        && Double.compare(p.k, k) == 0 && p.doubleAngle == doubleAngle && p.sineDegree == sineDegree
        && p.arcSine == arcSine && p.messageRatioBits == messageRatioBits && p.cacheDiagonals == cacheDiagonals;
  }

  @Override
  public int hashCode() {
    return Objects.hash(logSlots, coeffsToSlotsLevels, slotsToCoeffsLevels, k, doubleAngle, sineDegree, arcSine,
        messageRatioBits, cacheDiagonals);
  }

  @Override
  public String toString() {
    return "BootstrapParameters(logSlots=" + logSlots + ", coeffsToSlotsLevels=" + coeffsToSlotsLevels
        + ", slotsToCoeffsLevels=" + slotsToCoeffsLevels + ", k=" + k + ", doubleAngle=" + doubleAngle
        + ", sineDegree=" + sineDegree + ", arcSine=" + arcSine + ", messageRatioBits=" + messageRatioBits
        + ", cacheDiagonals=" + cacheDiagonals + ")";
  }

  /** Sets fields by name; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private int logSlots = 15;
    private int coeffsToSlotsLevels = 3;
    private int slotsToCoeffsLevels = 3;
    private double k = 40;
    private int doubleAngle = 3;
    private int sineDegree = 63;
    private boolean arcSine;
    private int messageRatioBits = 10;
    private boolean cacheDiagonals;

    private Builder() {}

    public Builder logSlots(int logSlots) {
      this.logSlots = logSlots;
      return this;
    }

    public Builder coeffsToSlotsLevels(int levels) {
      this.coeffsToSlotsLevels = levels;
      return this;
    }

    public Builder slotsToCoeffsLevels(int levels) {
      this.slotsToCoeffsLevels = levels;
      return this;
    }

    /** Both DFT level counts at once. */
    public Builder dftLevels(int levels) {
      return coeffsToSlotsLevels(levels).slotsToCoeffsLevels(levels);
    }

    public Builder k(double k) {
      this.k = k;
      return this;
    }

    public Builder doubleAngle(int r) {
      this.doubleAngle = r;
      return this;
    }

    public Builder sineDegree(int degree) {
      this.sineDegree = degree;
      return this;
    }

    public Builder arcSine(boolean arcSine) {
      this.arcSine = arcSine;
      return this;
    }

    public Builder messageRatioBits(int bits) {
      this.messageRatioBits = bits;
      return this;
    }

    public Builder cacheDiagonals(boolean cache) {
      this.cacheDiagonals = cache;
      return this;
    }

    /**
     * @throws IllegalArgumentException unless {@code 1 <= DFT levels <= logSlots}, K >= 1, r >= 0,
     *     degree >= 1 and the message ratio >= 1 bit
     */
    public BootstrapParameters build() {
      return new BootstrapParameters(this);
    }
  }
}
