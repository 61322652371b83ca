package io.polyhe.he.circuits.bootstrap;

import io.polyhe.he.ckks.CkksParameters;

/**
 * Named parameter sets for bootstrapping: CKKS parameters whose chain is laid out for it by {@link
 * BootstrapChain} (from the bottom: {@code q_0}, the levels left for the circuit, SlotsToCoeffs,
 * EvalMod, CoeffsToSlots) and the {@link BootstrapParameters} that use them. Presets whose name starts with {@code INSECURE_}
 * skip the 128-bit check (through {@link CkksParameters#insecureForTestsOnly}) and exist for fast
 * tests only. See {@code docs/bootstrapping.md} for how each was chosen.
 */
public enum BootstrapPreset {
  /**
   * 128-bit by the lattice-estimator figure of {@link io.polyhe.he.rlwe.SecurityStandard#maxLogQP128Sparse}
   * (sparse ternary secret, h = 320, log2(QP) ≤ 1726), N = 2^16, full slots (2^15). The ModRaise
   * overflow has standard deviation sqrt(320/12) ≈ 5.2, so K = 40 (7.7 deviations: a coefficient
   * overflows with probability about 2^-46 per coefficient), r = 3, cosine degree 63 (depth 6).
   * Chain: q_0 50 bits, 10 circuit levels of 40 bits (scale 2^40), SlotsToCoeffs 3 × 42, EvalMod 9
   * × 60, CoeffsToSlots 3 × 55; P = 7 × 57 (5 key-switching digits). 15 levels for bootstrapping,
   * 10 left. Encoded DFT diagonals are not cached (gigabytes at this size).
   */
  N16_QP1726_H320_128_BOOTSTRAP(
      BootstrapChain.builder(16).q0Bits(50).circuit(10, 40).slotsToCoeffs(3, 42).evalMod(9, 60)
          .coeffsToSlots(3, 55).specialPrimes(57, 57, 57, 57, 57, 57, 57).logDefaultScale(40)
          .secretHammingWeight(320).literal(),
      BootstrapParameters.builder().build()),
  /**
   * 128-bit (HomomorphicEncryption.org table, uniform ternary secret: log2(QP) ≤ 1772), N = 2^16,
   * full slots. The dense secret's ModRaise overflow has standard deviation sqrt(N/18) ≈ 60, so K =
   * 512, r = 8, cosine degree 47 (depth 6): EvalMod costs 14 levels and its double-angle steps
   * amplify errors up to 4^8-fold, hence a message ratio of 2^6 (inputs at level 0 at scale
   * q_0/2^6; |values| up to about 4). Chain: q_0 50, 6 circuit levels of 40 bits, SlotsToCoeffs 3 ×
   * 42, EvalMod 14 × 55, CoeffsToSlots 3 × 50; P = 7 × 57 (4 digits). 20 levels for bootstrapping,
   * 6 left.
   */
  N16_QP1772_128_BOOTSTRAP(
      BootstrapChain.builder(16).q0Bits(50).circuit(6, 40).slotsToCoeffs(3, 42).evalMod(14, 55)
          .coeffsToSlots(3, 50).specialPrimes(57, 57, 57, 57, 57, 57, 57).logDefaultScale(40).literal(),
      BootstrapParameters.builder().k(512).doubleAngle(8).sineDegree(47).messageRatioBits(6).build()),
  /**
   * Insecure, N = 2^10, dense ternary secret, full slots (512): K = 64 (8.5 standard deviations of
   * the ModRaise overflow at this N), r = 6, cosine degree 31; 2 + 11 + 2 levels for bootstrapping,
   * 2 left. For tests.
   */
  INSECURE_N10_BOOTSTRAP_TEST(
      BootstrapChain.builder(10).q0Bits(50).circuit(2, 40).slotsToCoeffs(2, 45).evalMod(11, 55)
          .coeffsToSlots(2, 55).specialPrimes(60, 60).logDefaultScale(40).literal(),
      BootstrapParameters.builder().logSlots(9).dftLevels(2).k(64).doubleAngle(6).sineDegree(31)
          .cacheDiagonals(true).build()),
  /**
   * Insecure, N = 2^10, sparse ternary secret of Hamming weight 32, full slots: the ModRaise
   * overflow has standard deviation about sqrt(32/12) ≈ 1.6, so K = 16, r = 4, cosine degree 30:
   * 2 + 9 + 2 levels for bootstrapping, 2 left. For tests.
   */
  INSECURE_N10_SPARSE_BOOTSTRAP_TEST(
      BootstrapChain.builder(10).q0Bits(50).circuit(2, 40).slotsToCoeffs(2, 45).evalMod(9, 55)
          .coeffsToSlots(2, 55).specialPrimes(60, 60).logDefaultScale(40).secretHammingWeight(32).literal(),
      BootstrapParameters.builder().logSlots(9).dftLevels(2).k(16).doubleAngle(4).sineDegree(30)
          .cacheDiagonals(true).build());

  private final CkksParameters.Literal literal;
  private final BootstrapParameters bootstrap;
  private volatile CkksParameters parameters;

  BootstrapPreset(CkksParameters.Literal literal, BootstrapParameters bootstrap) {
    this.literal = literal;
    this.bootstrap = bootstrap;
  }

  public boolean insecure() {
    return name().startsWith("INSECURE_");
  }

  public CkksParameters.Literal literal() {
    return literal;
  }

  public BootstrapParameters bootstrapParameters() {
    return bootstrap;
  }

  /** The validated parameters (128-bit checked unless {@link #insecure()}; built once). */
  public CkksParameters parameters() {
    CkksParameters p = parameters;
    if (p == null) {
      p = insecure() ? CkksParameters.insecureForTestsOnly(literal) : CkksParameters.of(literal);
      parameters = p;
    }
    return p;
  }
}
