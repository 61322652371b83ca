package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.SimulatedCiphertext;
import io.polyhe.he.circuits.bootstrap.BootstrapChain;
import io.polyhe.he.circuits.bootstrap.BootstrapParameters;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.SecurityStandard;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.LatencyRecorder;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans an encrypted forward pass without keys or ciphertexts: a dry run of {@link
 * EncryptedTransformer#forward} on a {@link DepthSimulator} gives every level and scale, the refresh
 * points ({@link RefreshPoints}: a value is refreshed only when the segment it enters needs more
 * levels than it has), the operation counts and the Galois elements the client must generate. The
 * real run takes the same steps, so its refreshes match the plan's (tests check it).
 *
 * <p>It also chooses CKKS parameters for a model ({@link #chooseParameters}).
 */
public final class LevelPlanner {
  private LevelPlanner() {}

  /**
   * A planned pass.
   *
   * @param model the compiled model planned
   * @param parameters the CKKS parameters planned for
   * @param tokens rows in use
   * @param points every refresh check, in order
   * @param refreshes refreshes the pass makes
   * @param counts operation counts (key switches dominate the cost)
   * @param galoisElements Galois elements used, sorted
   * @param outputLevel level of the logits
   */
  public record Plan(EncryptedTransformer model, CkksParameters parameters, int tokens,
      List<RefreshPoints.Point> points, int refreshes, DepthSimulator.OpCounts counts, int[] galoisElements,
      int outputLevel) {

    /** Estimated relative cost: key switches weighted by ring size and limbs, plus refreshes. */
    public double cost() {
      double n = parameters.n();
      int limbs = parameters.maxLevel() + 1;
      double keySwitch = n * Math.log(n) * limbs * (limbs + 1);
      return counts.keySwitches() * keySwitch + refreshes * REFRESH_KEY_SWITCHES * keySwitch;
    }

    /** A readable summary. */
    public String describe() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("plan for %d tokens at %s%n", tokens, parameters));
      sb.append(String.format("  refreshes %d, key switches %d, ct-ct products %d, pt products %d, rescales %d, "
          + "Galois elements %d, output level %d%n", refreshes, counts.keySwitches(), counts.ciphertextProducts(),
          counts.plaintextProducts(), counts.rescales(), galoisElements.length, outputLevel));
      for (RefreshPoints.Point p : points) {
        sb.append(String.format("  %-32s level %2d, needs %2d%s%n", p.where(), p.level(), p.needed(),
            p.refreshed() ? "  -> refresh" : ""));
      }
      return sb.toString();
    }
  }

  /**
   * What a refresh weighs in {@link Plan#cost()}, in key switches at the same size: a client round
   * trip (decrypt, encode, encrypt, and the network) is worth tens of key switches.
   */
  public static final double REFRESH_KEY_SWITCHES = 20;

  /** Plans a pass of {@code model} over {@code tokens} rows. */
  public static Plan plan(EncryptedTransformer model, int tokens) {
    DepthSimulator sim = new DepthSimulator(model.parameters());
    RefreshPoints<SimulatedCiphertext> points = RefreshPoints.simulated();
    List<SimulatedCiphertext> inputs = new ArrayList<>();
    for (int a = 0; a < model.layout().ciphertexts(tokens); a++) {
      inputs.add(sim.fresh(model.topLevel(), model.streamScale()));
    }
    List<SimulatedCiphertext> out = model.forward(sim, inputs, tokens, points, new LatencyRecorder());
    return new Plan(model, model.parameters(), tokens, points.points(), points.refreshes(), sim.counts(),
        sim.galoisElementsUsed(), out.get(0).level());
  }

  /** Bits of the default scale and of the rescaling primes in {@link #candidate}. */
  public static final int SCALE_BITS = 34;

  /**
   * The parameter template for ring degree {@code 2^logN}: {@code q_0} of {@code SCALE_BITS + 10}
   * bits (room for values up to about ±500 at level 0), as many {@code SCALE_BITS}-bit primes as the
   * 128-bit bound on log2(QP) leaves, and two special primes of {@code SCALE_BITS + 9} bits, so that
   * key-switching digits hold two primes: half the key memory and key-switching work of one-prime
   * digits (with Galois keys for every rotation of a model, memory is the binding limit) for one
   * level less.
   *
   * @throws IllegalArgumentException if {@code logN} has no 128-bit entry or leaves no level
   */
  public static CkksParameters.Literal candidate(int logN) {
    return candidate(logN, Integer.MAX_VALUE);
  }

  /**
   * {@link #candidate(int)} with at most {@code maxLevels} levels.
   *
   * @throws IllegalArgumentException if {@code logN} has no 128-bit entry or leaves no level
   */
  public static CkksParameters.Literal candidate(int logN, int maxLevels) {
    int max = SecurityStandard.maxLogQP128(logN);
    int q0 = SCALE_BITS + 10;
    int p = SCALE_BITS + 9;
    int levels = Math.min(maxLevels, (max - q0 - 2 * p) / SCALE_BITS);
    if (max < 0 || levels < 1) {
      throw new IllegalArgumentException("logN " + logN + " leaves no level at 128-bit security");
    }
    int[] logQ = new int[levels + 1];
    java.util.Arrays.fill(logQ, SCALE_BITS);
    logQ[0] = q0;
    return new CkksParameters.Literal(logN, logQ, new int[] {p, p}, SCALE_BITS);
  }

  /**
   * Chooses parameters for {@code model}: among the 128-bit {@link #candidate}s whose slots hold a
   * row and whose levels cover every segment, the smallest ring that works and the next size up,
   * each with just the levels the model's deepest segment needs, are planned over the full context,
   * and the one with the lower {@link Plan#cost()} wins (one ring size up holds twice the rows per
   * ciphertext but makes every key switch about four times dearer, so larger rings are not tried).
   * The fewest levels, because every limb more makes each Galois key and each key switch dearer
   * (quadratically), while the extra levels would only save refreshes the plan already places late.
   *
   * @throws IllegalArgumentException if no candidate up to {@code 2^16} fits
   */
  public static CkksParameters chooseParameters(Transformer model) {
    return choose(model).parameters();
  }

  /**
   * The model compiled for the parameters {@link #chooseParameters} picks — the compilation the
   * choice already made, so callers need not build it again.
   *
   * @throws IllegalArgumentException if no candidate up to {@code 2^16} fits
   */
  public static EncryptedTransformer choose(Transformer model) {
    return choose(model, POLYHE_PROFILE);
  }

  /**
   * The parameters of one ring size for a CKKS profile: {@code maxLevels} levels at most (as many as
   * the 128-bit bound allows when larger), validated.
   */
  @FunctionalInterface
  public interface Profile {
    /** @throws IllegalArgumentException if {@code logN} has no 128-bit entry or leaves no level */
    CkksParameters parameters(int logN, int maxLevels);
  }

  /** polyhe's own profile: {@link #candidate(int, int)}. */
  public static final Profile POLYHE_PROFILE = (logN, maxLevels) -> CkksParameters.of(candidate(logN, maxLevels));

  /**
   * Microsoft SEAL's profile ({@code Profile.SEAL}: generator 3, SEAL's slot order, one special
   * prime, one prime per digit) over {@link #sealCandidate}.
   */
  public static final Profile SEAL_PROFILE = (logN, maxLevels) -> CkksParameters.of(
      io.polyhe.he.rlwe.RlweParameters.of(sealCandidate(logN, maxLevels).ring()
          .withProfile(io.polyhe.he.rlwe.Profile.SEAL)), Math.scalb(1.0, SCALE_BITS));

  /** Bits of the one special prime of {@link #sealCandidate} (SEAL's largest prime size). */
  public static final int SEAL_SPECIAL_PRIME_BITS = 60;

  /**
   * The parameter template of Microsoft SEAL's key switching for ring degree {@code 2^logN}: {@code
   * q_0} and the rescaling primes as {@link #candidate}, and one special prime of {@value
   * #SEAL_SPECIAL_PRIME_BITS} bits, with one ciphertext prime per key-switching digit ({@code dnum}
   * = the number of ciphertext primes). The special prime is SEAL's largest (60 bits) so that the
   * key-switching noise, which grows with the largest digit ({@code q_0}, 44 bits) over P, stays
   * far below the scale; with one prime instead of two, the 128-bit bound on log2(QP) leaves the
   * same levels as {@link #candidate} at N = 2^14 (9).
   *
   * @throws IllegalArgumentException if {@code logN} has no 128-bit entry or leaves no level
   */
  public static CkksParameters.Literal sealCandidate(int logN, int maxLevels) {
    int max = SecurityStandard.maxLogQP128(logN);
    int q0 = SCALE_BITS + 10;
    int levels = Math.min(maxLevels, (max - q0 - SEAL_SPECIAL_PRIME_BITS) / SCALE_BITS);
    if (max < 0 || levels < 1) {
      throw new IllegalArgumentException("logN " + logN + " leaves no level at 128-bit security");
    }
    int[] logQ = new int[levels + 1];
    java.util.Arrays.fill(logQ, SCALE_BITS);
    logQ[0] = q0;
    return new CkksParameters.Literal(logN, logQ, new int[] {SEAL_SPECIAL_PRIME_BITS}, SCALE_BITS, levels + 1);
  }

  /**
   * As {@link #choose(Transformer)} with the parameters of {@code profile}.
   *
   * @throws IllegalArgumentException if no candidate up to {@code 2^16} fits
   */
  public static EncryptedTransformer choose(Transformer model, Profile profile) {
    List<String> reasons = new ArrayList<>();
    Plan best = null;
    int compared = 0;
    for (int logN = 13; logN <= 16 && compared < 2; logN++) {
      try {
        EncryptedTransformer compiled = new EncryptedTransformer(model, profile.parameters(logN, Integer.MAX_VALUE));
        int needed = compiled.levelsNeeded();
        if (needed < compiled.parameters().maxLevel()) {
          compiled = new EncryptedTransformer(model, profile.parameters(logN, needed));
        }
        Plan plan = plan(compiled, model.config().maxPositions());
        compared++;
        if (best == null || plan.cost() < best.cost()) {
          best = plan;
        }
      } catch (IllegalArgumentException e) {
        reasons.add("logN " + logN + ": " + e.getMessage());
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no parameters fit model '" + model.config().name() + "': " + reasons);
    }
    return best.model();
  }

  /**
   * A model compiled for bootstrapping: the parameters, the bootstrap circuit's shape, and the model
   * using the levels below the bootstrap's output level.
   */
  public record BootstrapChoice(EncryptedTransformer model, BootstrapParameters bootstrap) {
    /** The Galois elements a client makes keys for: the model's and the bootstrap circuit's, each once, sorted. */
    public int[] galoisElements() {
      return java.util.stream.IntStream.concat(java.util.Arrays.stream(model.galoisElements()),
          java.util.Arrays.stream(io.polyhe.he.circuits.bootstrap.Bootstrapper.galoisElements(model.parameters(),
              bootstrap))).distinct().sorted().toArray();
    }
  }

  /**
   * The chain for bootstrapping a model whose segments need {@code circuitLevels} levels: {@code
   * q_0} of {@code SCALE_BITS + 16} bits (bootstrap inputs sit at {@code q_0/2^16 = 2^SCALE_BITS}, so
   * values of a few hundred keep EvalMod's {@code sin(2πx) ≈ 2πx} exact to about 2^-20), the circuit
   * levels of {@code SCALE_BITS}, at the default scale {@code 2^SCALE_BITS}; the rest of the chain
   * is the caller's.
   */
  private static BootstrapChain.Builder bootstrapChain(int logN, int circuitLevels) {
    return BootstrapChain.builder(logN).q0Bits(SCALE_BITS + 16).circuit(circuitLevels, SCALE_BITS)
        .logDefaultScale(SCALE_BITS);
  }

  /**
   * 128-bit bootstrapping parameters for {@code model} at N = 2^16 with the sparse secret of {@code
   * BootstrapPreset.N16_QP1726_H320_128_BOOTSTRAP} (h = 320, log2(QP) ≤ 1726; K = 40, r = 3, degree
   * 63): the circuit levels the model's segments need, SlotsToCoeffs 3 × 42, EvalMod 9 × 60,
   * CoeffsToSlots 3 × 55, P = 7 × 57. {@code tiny} needs 9 circuit levels: log2(QP) = 1586, 48 + 39
   * Galois keys.
   *
   * @throws IllegalArgumentException if the model needs more levels than fit
   */
  public static BootstrapChoice chooseForBootstrapping(Transformer model) {
    BootstrapParameters bp = BootstrapParameters.builder().messageRatioBits(16).build();
    return bootstrapChoice(model, bp, levels -> CkksParameters.of(bootstrapChain(16, levels).slotsToCoeffs(3, 42)
        .evalMod(9, 60).coeffsToSlots(3, 55).specialPrimes(57, 57, 57, 57, 57, 57, 57).secretHammingWeight(320)
        .literal()));
  }

  /**
   * INSECURE bootstrapping parameters for tests of {@code model} at N = 2^14 (through {@link
   * CkksParameters#insecureForTestsOnly}): sparse secret of Hamming weight 64 (ModRaise overflow
   * deviation sqrt(64/12) ≈ 2.3, so K = 24), EvalMod r = 3, degree 47 (9 levels of 60 bits: the
   * message ratio 2^16 multiplies EvalMod's error), CoeffsToSlots 3 × 60, SlotsToCoeffs 3 × 40, P =
   * 6 × 60 (digits of 5 primes: key memory is what
   * limits a test). DFT diagonals are encoded per use, not cached. Data under them is not protected.
   */
  public static BootstrapChoice insecureBootstrappingForTestsOnly(Transformer model) {
    BootstrapParameters bp = BootstrapParameters.builder().logSlots(13).k(24).sineDegree(47).messageRatioBits(16)
        .build();
    return bootstrapChoice(model, bp, levels -> CkksParameters.insecureForTestsOnly(bootstrapChain(14, levels)
        .slotsToCoeffs(3, 40).evalMod(9, 60).coeffsToSlots(3, 60).specialPrimes(60, 60, 60, 60, 60, 60)
        .secretHammingWeight(64).literal()));
  }

  private static BootstrapChoice bootstrapChoice(Transformer model, BootstrapParameters bp,
      java.util.function.IntFunction<CkksParameters> paramsForLevels) {
    String last = "";
    for (int levels = 4; levels <= 14; levels++) {
      CkksParameters params;
      try {
        params = paramsForLevels.apply(levels);
      } catch (IllegalArgumentException tooBig) {
        throw new IllegalArgumentException("model '" + model.config().name() + "' needs more than " + (levels - 1)
            + " circuit levels beside bootstrapping: " + tooBig.getMessage() + "; " + last, tooBig);
      }
      try {
        // The chain puts the circuit's primes at levels 1..levels: the bootstrap output level.
        return new BootstrapChoice(new EncryptedTransformer(model, params, levels), bp);
      } catch (IllegalArgumentException tooFew) {
        last = tooFew.getMessage();
      }
    }
    throw new IllegalArgumentException("no bootstrapping parameters fit model '" + model.config().name() + "': " + last);
  }
}
