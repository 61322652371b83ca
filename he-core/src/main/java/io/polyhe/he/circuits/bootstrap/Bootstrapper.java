package io.polyhe.he.circuits.bootstrap;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.circuits.SimulatedCiphertext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.RlweParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Non-interactive CKKS bootstrapping, as a {@link Refresher}: ModRaise, (SubSum for sparse slots),
 * CoeffsToSlots, EvalMod on the real and imaginary parts, SlotsToCoeffs.
 *
 * <h2>Levels and scales</h2>
 *
 * The input is brought to level 0 at scale {@code Δ_in = q_0/2^messageRatioBits} (or taken as is
 * when already at level 0 with a scale at most twice that), raised to the top level {@code L} and
 * read at scale {@code q_0·N} (the constants of the inverse DFT, applied for free), so that after
 * CoeffsToSlots its slots hold the coefficients' {@code x = (m + e)/q_0 + I}. CoeffsToSlots
 * spends {@code c} levels and lands exactly on EvalMod's preferred input scale; EvalMod spends its
 * depth; its output {@code ≈ (m + e)/q_0} is read at scale × {@code Δ_in/q_0} (free) to become the
 * message; SlotsToCoeffs spends {@code s} levels and lands exactly on the requested scale. The
 * output level is {@code L − c − depth(EvalMod) − s} ({@link #outputLevel()}).
 *
 * <h2>One circuit, real or dry</h2>
 *
 * The circuit is one generic method over an {@link Arithmetic} ({@link #bootstrap(Arithmetic, Object,
 * double)}). Run on a {@link DepthSimulator} when the bootstrapper is built, it yields the output
 * level, the Galois elements and the operation counts, so that what is declared is what a real
 * bootstrap does; the DFT factors are {@link LinearTransform}s given by their complex diagonals.
 *
 * <p>Thread-safe; {@link #stats()} counts bootstraps; {@link #timings()} sums the time of each step.
 */
public final class Bootstrapper implements Refresher {

  /** The steps whose time {@link #timings()} reports (and a listener receives). */
  public enum Step {
    MOD_RAISE("ModRaise"),
    COEFFS_TO_SLOTS("CoeffsToSlots"),
    EVAL_MOD("EvalMod"),
    SLOTS_TO_COEFFS("SlotsToCoeffs");

    private final String label;

    Step(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * Receives the duration of each step as it ends (e.g. to record latency spans). An exception it
   * throws ends the bootstrap there and reaches the caller of {@link #bootstrap}: a caller may use
   * it to stop a cancelled computation between steps.
   */
  @FunctionalInterface
  public interface StepListener {
    void stepDone(Step step, long nanos);
  }

  private final CkksParameters params;
  private final RlweParameters rlwe;
  private final BootstrapParameters bp;
  private final CiphertextArithmetic arithmetic;
  private final Plan plan;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong[] nanos = new AtomicLong[Step.values().length];
  private volatile StepListener listener = (s, t) -> {};

  /**
   * What a bootstrapping circuit needs, built without keys: the DFT factors, EvalMod, SubSum's
   * steps; and what a dry run of it on a {@link DepthSimulator} found: the output level, the Galois
   * elements and the key switches.
   */
  private record Plan(CkksParameters params, int slots, List<LinearTransform> c2s, EvalMod evalMod,
      List<LinearTransform> s2c, int[] subSumSteps, PlainVector plusI, PlainVector minusI, int outputLevel,
      int[] galois, DepthSimulator.OpCounts counts) {}

  /** Where a run reports the end of each step. */
  @FunctionalInterface
  private interface Steps {
    void done(Step step);
  }

  /**
   * @throws IllegalArgumentException if the parameters have too few levels for {@code bp}, the
   *     slot count does not fit, or they are not in polyhe's own profile
   */
  public Bootstrapper(Evaluator evaluator, BootstrapParameters bp) {
    this(evaluator, bp, plan(evaluator.context().parameters(), bp));
  }

  private Bootstrapper(Evaluator evaluator, BootstrapParameters bp, Plan plan) {
    this.arithmetic = new CiphertextArithmetic(evaluator);
    this.params = arithmetic.parameters();
    this.rlwe = params.rlwe();
    this.bp = bp;
    this.plan = plan;
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = new AtomicLong();
    }
  }

  /**
   * The same circuit on {@code evaluator} (its keys), sharing this one's DFT factors and EvalMod,
   * which depend on the parameters only and take seconds to build at N = 2^16 (a server builds them
   * once per model, then one bootstrapper per pass on the session's keys). The copy has its own
   * counts, timings and listener.
   *
   * @throws IllegalArgumentException if {@code evaluator} computes under other parameters
   */
  public Bootstrapper withEvaluator(Evaluator evaluator) {
    if (!evaluator.context().parameters().rlwe().sameAs(rlwe)) {
      throw new IllegalArgumentException("the evaluator's parameters differ from this bootstrapper's");
    }
    return new Bootstrapper(evaluator, bp, plan);
  }

  private static Plan plan(CkksParameters params, BootstrapParameters bp) {
    if (params.rlwe().profile() != io.polyhe.he.rlwe.Profile.POLYHE) {
      // The DFT factors follow polyhe's slot order (powers of 5); another profile would get garbage.
      throw new IllegalArgumentException("bootstrapping supports polyhe's own profile only, these parameters are "
          + params.rlwe().profile() + " (use client-aided refresh)");
    }
    int slots = 1 << bp.logSlots();
    if (slots > params.slots()) {
      throw new IllegalArgumentException(slots + " slots exceed N/2 = " + params.slots());
    }
    EvalMod evalMod = new EvalMod(params, bp.k(), bp.doubleAngle(), bp.sineDegree(), bp.arcSine());
    int needed = bp.coeffsToSlotsLevels() + evalMod.depth() + bp.slotsToCoeffsLevels();
    if (needed > params.maxLevel()) {
      throw new IllegalArgumentException("bootstrapping needs " + needed + " levels ("
          + bp.coeffsToSlotsLevels() + " CoeffsToSlots, " + evalMod.depth() + " EvalMod, "
          + bp.slotsToCoeffsLevels() + " SlotsToCoeffs), the parameters have " + params.maxLevel());
    }
    int gap = params.slots() / slots;
    // Unscaled butterflies (scalar n cancels the 1/n): the constants 1/n, 1/gap (SubSum's factor)
    // and 1/2 (w + conj(w) is twice the real part) are applied by reading the raised ciphertext at
    // scale q_0·N instead. Folded into the diagonals they would shrink them, and the plaintexts'
    // rounding error (absolute, about sqrt(N)/q_l per slot) would cost that many bits.
    List<LinearTransform> c2s = new ArrayList<>();
    for (SlotMatrix m : DftFactors.coeffsToSlots(slots, bp.coeffsToSlotsLevels(), slots)) {
      c2s.add(transform(params, m, bp.cacheDiagonals()));
    }
    List<LinearTransform> s2c = new ArrayList<>();
    for (SlotMatrix m : DftFactors.slotsToCoeffs(slots, bp.slotsToCoeffsLevels(), 1.0)) {
      s2c.add(transform(params, m, bp.cacheDiagonals()));
    }
    int[] subSum = new int[Integer.numberOfTrailingZeros(gap)];
    for (int i = 0; i < subSum.length; i++) {
      subSum[i] = slots << i;
    }
    // The constants ±i (the monomials ±X^(N/2)), multiplied at scale 1.
    double[] zeros = new double[params.slots()];
    double[] ones = new double[params.slots()];
    java.util.Arrays.fill(ones, 1);
    double[] minusOnes = new double[params.slots()];
    java.util.Arrays.fill(minusOnes, -1);
    Plan circuit = new Plan(params, slots, List.copyOf(c2s), evalMod, List.copyOf(s2c), subSum,
        PlainVector.complex(zeros, ones), PlainVector.complex(zeros, minusOnes), -1, null, null);
    // Output level, keys and operation counts from a dry run of the very circuit bootstrap() runs.
    DepthSimulator sim = new DepthSimulator(params);
    SimulatedCiphertext out = run(circuit, bp, sim, sim.fresh(0, inputScale(params, bp)), params.defaultScale(),
        step -> {});
    return new Plan(params, slots, circuit.c2s(), evalMod, circuit.s2c(), subSum, circuit.plusI(),
        circuit.minusI(), out.level(), sim.galoisElementsUsed(), sim.counts());
  }

  /** One DFT factor on inputs that repeat with period {@code m.n()}: BSGS over power-of-two steps. */
  private static LinearTransform transform(CkksParameters params, SlotMatrix m, boolean cache) {
    LinearTransform t = LinearTransform.ofDiagonals(params, m.tiledDiagonals(params.slots()),
        LinearTransform.BabySteps.POWERS_OF_TWO);
    return cache ? t : t.withTransientEncodings();
  }

  /**
   * The Galois elements bootstrapping with {@code bp} on {@code params} needs (conjugation, the DFT
   * factors' baby and giant rotations, SubSum's rotations for sparse slots), sorted, as a dry run
   * on a {@link DepthSimulator} uses them; the relinearisation key is needed too. Builds the DFT
   * factors but no keys.
   */
  public static int[] galoisElements(CkksParameters params, BootstrapParameters bp) {
    return plan(params, bp).galois().clone();
  }

  /** {@link #galoisElements(CkksParameters, BootstrapParameters)} of this bootstrapper. */
  public int[] galoisElements() {
    return plan.galois().clone();
  }

  /**
   * The level bootstrapped ciphertexts come out at (the levels left for the circuit), as a dry run
   * on a {@link DepthSimulator} found it: {@code L − c − depth(EvalMod) − s}.
   */
  public int outputLevel() {
    return plan.outputLevel();
  }

  public BootstrapParameters bootstrapParameters() {
    return bp;
  }

  public EvalMod evalMod() {
    return plan.evalMod();
  }

  /** Slot count n that is bootstrapped (values repeat with period n across the N/2 slots). */
  public int slots() {
    return plan.slots();
  }

  /**
   * Rotations per bootstrap, the conjugation included (hoisted rotations count one each), as the
   * dry run counted them; relinearisations come on top.
   */
  public int rotationCount() {
    return (int) plan.counts().rotations();
  }

  /** The operations of one bootstrap, as the dry run counted them. */
  public DepthSimulator.OpCounts operationCounts() {
    return plan.counts();
  }

  /** Sends each step's duration to {@code listener} (replacing the previous one). */
  public void setListener(StepListener listener) {
    this.listener = listener == null ? (s, t) -> {} : listener;
  }

  /** Total nanoseconds spent in each step so far, indexed by {@link Step#ordinal()}. */
  public long[] timings() {
    long[] out = new long[nanos.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = nanos[i].get();
    }
    return out;
  }

  private long done(Step step, long start) {
    long now = System.nanoTime();
    nanos[step.ordinal()].addAndGet(now - start);
    listener.stepDone(step, now - start);
    return now;
  }

  /** The scale inputs are brought to at level 0: {@code q_0/2^messageRatioBits}. */
  public double inputScale() {
    return inputScale(params, bp);
  }

  private static double inputScale(CkksParameters params, BootstrapParameters bp) {
    return Math.scalb((double) params.rlwe().q(0), -bp.messageRatioBits());
  }

  /**
   * A fresh encryption of {@code ct}'s values at {@link #outputLevel()} and exactly {@code
   * targetScale}. Counted in {@link #stats()}, timed in {@link #timings()} and reported to the
   * listener step by step.
   *
   * @throws IllegalArgumentException if ct belongs to other parameters, or sits at level 0 with a
   *     scale above {@link #inputScale()} (too little room for the modular reduction)
   * @throws IllegalStateException if a key is missing
   */
  public Ciphertext bootstrap(Ciphertext ct, double targetScale) {
    long[] t = {System.nanoTime()};
    Ciphertext out = run(plan, bp, arithmetic, ct, targetScale, step -> {
      long now = System.nanoTime();
      nanos[step.ordinal()].addAndGet(now - t[0]);
      listener.stepDone(step, now - t[0]);
      t[0] = now;
    });
    count.incrementAndGet();
    return out;
  }

  /**
   * The bootstrapping circuit over any arithmetic: on a {@link DepthSimulator} it is the dry run
   * that yields {@link #outputLevel()} and {@link #galoisElements()}; on real ciphertexts (through
   * decorators, say) the same values as {@link #bootstrap(Ciphertext, double)}, without its counts,
   * timings or listener.
   *
   * @throws IllegalArgumentException as {@link #bootstrap(Ciphertext, double)}, or if {@code ar}
   *     computes under other parameters
   */
  public <C> C bootstrap(Arithmetic<C> ar, C ct, double targetScale) {
    return run(plan, bp, ar, ct, targetScale, step -> {});
  }

  private static <C> C run(Plan plan, BootstrapParameters bp, Arithmetic<C> ar, C ct, double targetScale,
      Steps steps) {
    CkksParameters params = ar.parameters();
    if (!params.equals(plan.params())) {
      throw new IllegalArgumentException("the arithmetic computes under other parameters than this bootstrapper's");
    }
    if (!(targetScale >= 1) || Double.isInfinite(targetScale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + targetScale);
    }
    C in = ar.relinearize(ct);
    double deltaIn = inputScale(params, bp);
    if (ar.level(in) > 0) {
      C one = ar.dropToLevel(in, 1);
      in = ar.rescale(ar.mulConstant(one, 1.0, deltaIn * ar.q(1) / ar.scale(one)));
      in = ar.reinterpretScale(in, deltaIn); // exact up to 1e-9 relative, by construction
    } else if (ar.scale(in) > 2 * deltaIn) { // one bit of slack: scales drift a little
      throw new IllegalArgumentException(String.format(
          "a level-0 input needs a scale of at most 2·q_0/2^%d = 2^%.2f, got 2^%.2f",
          bp.messageRatioBits(), log2(2 * deltaIn), log2(ar.scale(in))));
    } else {
      deltaIn = ar.scale(in);
    }
    int top = params.maxLevel();
    double q0 = ar.q(0);
    // Read at q_0·N: 0.5/(gap·n) = 1/N, the constants CoeffsToSlots leaves out (see plan()).
    C x = ar.reinterpretScale(ar.modRaise(in), q0 * params.n());
    steps.done(Step.MOD_RAISE);

    for (int step : plan.subSumSteps()) {
      x = ar.add(x, ar.rotate(x, step));
    }
    List<LinearTransform> c2s = plan.c2s();
    // From q_0·N down to EvalMod's input scale in equal steps: a plaintext encoded at a scale far
    // below q_l would carry its rounding error (about sqrt(N)/scale) into every coefficient.
    double sIn = ar.scale(x);
    double sOut = plan.evalMod().inputScale(top - c2s.size());
    for (int i = 0; i < c2s.size(); i++) {
      double target = i == c2s.size() - 1 ? sOut : sIn * Math.pow(sOut / sIn, (i + 1.0) / c2s.size());
      x = c2s.get(i).withTargetScale(target).apply(ar, x);
    }
    C conj = ar.conjugate(x);
    C re = ar.add(x, conj);
    C im = ar.mulPlain(ar.sub(x, conj), plan.minusI(), 1.0);
    steps.done(Step.COEFFS_TO_SLOTS);

    re = plan.evalMod().apply(ar, re);
    im = plan.evalMod().apply(ar, im);
    double messageScale = ar.scale(re) * deltaIn / q0;
    re = ar.reinterpretScale(re, messageScale);
    im = ar.reinterpretScale(im, messageScale);
    C w = ar.add(re, ar.mulPlain(im, plan.plusI(), 1.0));
    steps.done(Step.EVAL_MOD);

    List<LinearTransform> s2c = plan.s2c();
    for (int i = 0; i < s2c.size(); i++) {
      double target = i == s2c.size() - 1 ? targetScale : ar.scale(w);
      w = s2c.get(i).withTargetScale(target).apply(ar, w);
    }
    steps.done(Step.SLOTS_TO_COEFFS);
    return w;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Override
  public Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale) {
    if (targetLevel < 0 || targetLevel > outputLevel()) {
      throw new IllegalArgumentException("bootstrapping reaches level " + outputLevel()
          + " at most, asked for " + targetLevel);
    }
    Ciphertext out = bootstrap(ct, targetScale);
    return arithmetic.dropToLevel(out, targetLevel);
  }

  @Override
  public Ciphertext refresh(Ciphertext ct, double targetScale) {
    return refresh(ct, outputLevel(), targetScale);
  }

  @Override
  public RefreshStats stats() {
    return new RefreshStats(count.get(), 0, 0);
  }

  @Override
  public String toString() {
    return "Bootstrapper(" + plan.slots() + " slots, output level " + outputLevel() + ", " + plan.evalMod()
        + ", CoeffsToSlots " + plan.c2s() + ", SlotsToCoeffs " + plan.s2c() + ")";
  }
}
