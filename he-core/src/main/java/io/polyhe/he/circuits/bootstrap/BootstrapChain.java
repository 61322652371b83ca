package io.polyhe.he.circuits.bootstrap;

import io.polyhe.he.ckks.CkksParameters;

/**
 * The one place where a modulus chain for bootstrapping is laid out: from the bottom {@code q_0},
 * the levels left for the circuit (the bootstrap's output level), then the primes SlotsToCoeffs,
 * EvalMod and CoeffsToSlots spend, bootstrapping consuming the chain from the top. Used by {@link
 * BootstrapPreset} and by planners that size the circuit part for a model.
 *
 * <pre>{@code
 * CkksParameters.Literal literal = BootstrapChain.builder(16).q0Bits(50).circuit(10, 40)
 *     .slotsToCoeffs(3, 42).evalMod(9, 60).coeffsToSlots(3, 55).specialPrimes(57, 57, 57)
 *     .logDefaultScale(40).secretHammingWeight(320).literal();
 * }</pre>
 *
 * <p>The level counts must match the {@link BootstrapParameters} the chain is for (the DFT levels,
 * EvalMod's depth); a {@link Bootstrapper} refuses parameters with too few levels. Stateless.
 */
public final class BootstrapChain {
  private BootstrapChain() {}

  /** A builder for ring degree {@code 2^logN}; every field but the secret's Hamming weight is required. */
  public static Builder builder(int logN) {
    return new Builder(logN);
  }

  /** Sets the parts of the chain by name; {@link #literal()} lays it out. Not thread-safe. */
  public static final class Builder {
    private final int logN;
    private int q0Bits = -1;
    private int circuitLevels = -1;
    private int circuitBits;
    private int s2cLevels = -1;
    private int s2cBits;
    private int evalModLevels = -1;
    private int evalModBits;
    private int c2sLevels = -1;
    private int c2sBits;
    private int[] specialBits;
    private int logDefaultScale = -1;
    private int hammingWeight;

    private Builder(int logN) {
      this.logN = logN;
    }

    /** Bits of {@code q_0}, which holds bootstrapping's input (values at {@code q_0/2^messageRatioBits}). */
    public Builder q0Bits(int bits) {
      this.q0Bits = bits;
      return this;
    }

    /** {@code levels} primes of {@code bits} bits above {@code q_0}: the circuit's levels. */
    public Builder circuit(int levels, int bits) {
      this.circuitLevels = levels;
      this.circuitBits = bits;
      return this;
    }

    public Builder slotsToCoeffs(int levels, int bits) {
      this.s2cLevels = levels;
      this.s2cBits = bits;
      return this;
    }

    public Builder evalMod(int levels, int bits) {
      this.evalModLevels = levels;
      this.evalModBits = bits;
      return this;
    }

    public Builder coeffsToSlots(int levels, int bits) {
      this.c2sLevels = levels;
      this.c2sBits = bits;
      return this;
    }

    /** Bit sizes of the special primes P of key switching. */
    public Builder specialPrimes(int... bits) {
      this.specialBits = bits.clone();
      return this;
    }

    public Builder logDefaultScale(int logScale) {
      this.logDefaultScale = logScale;
      return this;
    }

    /** 0 (the default) for a uniform ternary secret, else the sparse secret's Hamming weight. */
    public Builder secretHammingWeight(int h) {
      this.hammingWeight = h;
      return this;
    }

    /**
     * The literal: {@code q_0}, the circuit's primes, SlotsToCoeffs', EvalMod's, CoeffsToSlots',
     * with the special primes, default scale and secret given. Validation of the primes and of
     * security is {@link CkksParameters#of}'s.
     *
     * @throws IllegalArgumentException if a part is missing or a level count is out of range
     */
    public CkksParameters.Literal literal() {
      if (q0Bits < 1 || circuitLevels < 0 || s2cLevels < 1 || evalModLevels < 1 || c2sLevels < 1
          || specialBits == null || logDefaultScale < 1) {
        throw new IllegalArgumentException("a bootstrapping chain needs q_0, the circuit levels (>= 0), SlotsToCoeffs,"
            + " EvalMod and CoeffsToSlots levels (>= 1 each), special primes and a default scale");
      }
      int[] logQ = new int[1 + circuitLevels + s2cLevels + evalModLevels + c2sLevels];
      int i = 0;
      logQ[i++] = q0Bits;
      i = fill(logQ, i, circuitLevels, circuitBits);
      i = fill(logQ, i, s2cLevels, s2cBits);
      i = fill(logQ, i, evalModLevels, evalModBits);
      fill(logQ, i, c2sLevels, c2sBits);
      return new CkksParameters.Literal(logN, logQ, specialBits, logDefaultScale, 0, hammingWeight);
    }

    private static int fill(int[] logQ, int from, int count, int bits) {
      java.util.Arrays.fill(logQ, from, from + count, bits);
      return from + count;
    }
  }
}
