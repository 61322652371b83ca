package io.polyhe.he.circuits.bootstrap;

import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.ModRaise;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.RlweParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
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
  private final Evaluator evaluator;
  private final CkksContext context;
  private final CkksEncoder encoder;
  private final CiphertextArithmetic arithmetic;
  private final Plan plan;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong[] nanos = new AtomicLong[Step.values().length];
  private volatile StepListener listener = (s, t) -> {};

  /** What a bootstrapping circuit needs, built without keys. */
  private record Plan(int slots, List<SlotTransform> c2s, EvalMod evalMod, List<SlotTransform> s2c,
      int[] subSumSteps, int outputLevel, int[] galois) {}

  /**
   * @throws IllegalArgumentException if the parameters have too few levels for {@code bp}, or the
   *     slot count does not fit
   */
  public Bootstrapper(Evaluator evaluator, BootstrapParameters bp) {
    this(evaluator, bp, plan(evaluator.context().parameters(), bp));
  }

  private Bootstrapper(Evaluator evaluator, BootstrapParameters bp, Plan plan) {
    this.evaluator = evaluator;
    this.context = evaluator.context();
    this.params = context.parameters();
    this.rlwe = params.rlwe();
    this.bp = bp;
    this.encoder = new CkksEncoder(context);
    this.arithmetic = new CiphertextArithmetic(evaluator);
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
    int slots = 1 << bp.logSlots();
    if (slots > params.slots()) {
      throw new IllegalArgumentException(slots + " slots exceed N/2 = " + params.slots());
    }
    EvalMod evalMod = new EvalMod(params, bp.k(), bp.doubleAngle(), bp.sineDegree(), bp.arcSine());
    int out = params.maxLevel() - bp.coeffsToSlotsLevels() - evalMod.depth() - bp.slotsToCoeffsLevels();
    if (out < 0) {
      throw new IllegalArgumentException("bootstrapping needs " + (params.maxLevel() - out) + " levels ("
          + bp.coeffsToSlotsLevels() + " CoeffsToSlots, " + evalMod.depth() + " EvalMod, "
          + bp.slotsToCoeffsLevels() + " SlotsToCoeffs), the parameters have " + params.maxLevel());
    }
    int gap = params.slots() / slots;
    // Unscaled butterflies (scalar n cancels the 1/n): the constants 1/n, 1/gap (SubSum's factor)
    // and 1/2 (w + conj(w) is twice the real part) are applied by reading the raised ciphertext at
    // scale q_0·N instead. Folded into the diagonals they would shrink them, and the plaintexts'
    // rounding error (absolute, about sqrt(N)/q_l per slot) would cost that many bits.
    List<SlotTransform> c2s = new ArrayList<>();
    for (SlotMatrix m : DftFactors.coeffsToSlots(slots, bp.coeffsToSlotsLevels(), slots)) {
      c2s.add(new SlotTransform(params, m, bp.cacheDiagonals()));
    }
    List<SlotTransform> s2c = new ArrayList<>();
    for (SlotMatrix m : DftFactors.slotsToCoeffs(slots, bp.slotsToCoeffsLevels(), 1.0)) {
      s2c.add(new SlotTransform(params, m, bp.cacheDiagonals()));
    }
    int[] subSum = new int[Integer.numberOfTrailingZeros(gap)];
    for (int i = 0; i < subSum.length; i++) {
      subSum[i] = slots << i;
    }
    TreeSet<Integer> g = new TreeSet<>();
    g.add(GaloisElements.conjugation(params.n()));
    for (int step : subSum) {
      g.add(GaloisElements.forRotation(step, params.n()));
    }
    for (List<SlotTransform> ts : List.of(c2s, s2c)) {
      for (SlotTransform t : ts) {
        for (int e : t.galoisElements()) {
          g.add(e);
        }
      }
    }
    return new Plan(slots, c2s, evalMod, s2c, subSum, out,
        g.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * The Galois elements bootstrapping with {@code bp} on {@code params} needs (conjugation, the DFT
   * factors' baby and giant rotations, SubSum's rotations for sparse slots), sorted; the
   * relinearisation key is needed too. Builds the DFT factors but no keys.
   */
  public static int[] galoisElements(CkksParameters params, BootstrapParameters bp) {
    return plan(params, bp).galois().clone();
  }

  /** {@link #galoisElements(CkksParameters, BootstrapParameters)} of this bootstrapper. */
  public int[] galoisElements() {
    return plan.galois().clone();
  }

  /** The level bootstrapped ciphertexts come out at: the levels left for the circuit. */
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

  /** Key switches per bootstrap (hoisted rotations count one each). */
  public int rotationCount() {
    int r = plan.subSumSteps().length + 1;
    for (List<SlotTransform> ts : List.of(plan.c2s(), plan.s2c())) {
      for (SlotTransform t : ts) {
        r += t.rotationCount();
      }
    }
    return r;
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
    return Math.scalb((double) rlwe.q(0), -bp.messageRatioBits());
  }

  /**
   * A fresh encryption of {@code ct}'s values at {@link #outputLevel()} and exactly {@code
   * targetScale}.
   *
   * @throws IllegalArgumentException if ct belongs to other parameters, or sits at level 0 with a
   *     scale above {@link #inputScale()} (too little room for the modular reduction)
   * @throws IllegalStateException if a key is missing
   */
  public Ciphertext bootstrap(Ciphertext ct, double targetScale) {
    if (!Ciphertext.isValidScale(targetScale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + targetScale);
    }
    long t = System.nanoTime();
    Ciphertext in = evaluator.relinearize(ct);
    double deltaIn = inputScale();
    if (in.level() > 0) {
      Ciphertext one = evaluator.dropToLevel(in, 1);
      in = evaluator.rescale(evaluator.mulConstant(one, 1.0, deltaIn * rlwe.q(1) / one.scale()));
      in = arithmetic.withScale(in, deltaIn); // exact up to 1e-9 relative, by construction
    } else if (in.scale() > 2 * deltaIn) { // one bit of slack: scales drift a little
      throw new IllegalArgumentException(String.format(
          "a level-0 input needs a scale of at most 2·q_0/2^%d = 2^%.2f, got 2^%.2f",
          bp.messageRatioBits(), log2(2 * deltaIn), log2(in.scale())));
    } else {
      deltaIn = in.scale();
    }
    int top = params.maxLevel();
    double q0 = rlwe.q(0);
    // Read at q_0·N: 0.5/(gap·n) = 1/N, the constants CoeffsToSlots leaves out (see plan()).
    Ciphertext x = arithmetic.withScale(ModRaise.raise(context.rlwe(), in, top), q0 * params.n());
    t = done(Step.MOD_RAISE, t);

    for (int step : plan.subSumSteps()) {
      x = evaluator.add(x, evaluator.rotate(x, step));
    }
    List<SlotTransform> c2s = plan.c2s();
    // From q_0·N down to EvalMod's input scale in equal steps: a plaintext encoded at a scale far
    // below q_l would carry its rounding error (about sqrt(N)/scale) into every coefficient.
    double sIn = x.scale();
    double sOut = plan.evalMod().inputScale(top - c2s.size());
    for (int i = 0; i < c2s.size(); i++) {
      int l = x.level();
      double target = i == c2s.size() - 1 ? sOut : sIn * Math.pow(sOut / sIn, (i + 1.0) / c2s.size());
      x = withExactScale(c2s.get(i).apply(evaluator, encoder, x, target * rlwe.q(l) / x.scale()), target);
    }
    Ciphertext conj = evaluator.conjugate(x);
    Ciphertext re = evaluator.add(x, conj);
    Ciphertext im = evaluator.mulPlain(evaluator.sub(x, conj), monomial(x.level(), -1));
    t = done(Step.COEFFS_TO_SLOTS, t);

    re = plan.evalMod().evaluate(arithmetic, re);
    im = plan.evalMod().evaluate(arithmetic, im);
    double messageScale = re.scale() * deltaIn / q0;
    re = arithmetic.withScale(re, messageScale);
    im = arithmetic.withScale(im, messageScale);
    Ciphertext w = evaluator.add(re, evaluator.mulPlain(im, monomial(im.level(), 1)));
    t = done(Step.EVAL_MOD, t);

    List<SlotTransform> s2c = plan.s2c();
    for (int i = 0; i < s2c.size(); i++) {
      int l = w.level();
      double target = i == s2c.size() - 1 ? targetScale : w.scale();
      w = withExactScale(s2c.get(i).apply(evaluator, encoder, w, target * rlwe.q(l) / w.scale()), target);
    }
    done(Step.SLOTS_TO_COEFFS, t);
    count.incrementAndGet();
    return w;
  }

  /** The ciphertext read at {@code scale}, which it carries up to floating-point rounding. */
  private Ciphertext withExactScale(Ciphertext ct, double scale) {
    return arithmetic.withScale(ct, scale);
  }

  /** The constant {@code ±i} (the monomial {@code ±X^(N/2)}) as a plaintext of scale 1. */
  private Plaintext monomial(int level, int sign) {
    double[] re = new double[params.slots()];
    double[] im = new double[params.slots()];
    java.util.Arrays.fill(im, sign);
    return encoder.encodeComplex(re, im, level, 1.0);
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
    return out.level() == targetLevel ? out : evaluator.dropToLevel(out, targetLevel);
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
