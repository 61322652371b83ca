package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.GaloisElements;
import java.util.TreeSet;

/**
 * A dry run of circuits: an {@link Arithmetic} over {@link SimulatedCiphertext}s that tracks
 * levels, scales and sizes exactly as {@link Evaluator} would (the same floating-point operations
 * on scales, so simulated scales equal real ones bit for bit), checks the same preconditions with
 * the same exceptions, and counts the operations and Galois elements used. A planner runs a circuit
 * here to learn where its levels go and where rescales or refreshes must be placed, without keys
 * or ciphertexts.
 *
 * <p>Not thread-safe: the counters are plain fields; use one simulator per dry run.
 */
public final class DepthSimulator implements Arithmetic<SimulatedCiphertext> {

  /**
   * Operations counted by a dry run.
   *
   * @param ciphertextProducts tensor products (ct × ct)
   * @param relinearizations relinearisations (key switches)
   * @param rotations rotations, hoisted ones and conjugations included (key switches)
   * @param hoistedDecompositions hoisted rotation batches (one decomposition each)
   * @param plaintextProducts ct × pt products
   * @param constantProducts ct × constant and ct × integer products
   * @param rescales rescales
   * @param additions additions, subtractions, negations, constant and plaintext additions
   */
  public record OpCounts(long ciphertextProducts, long relinearizations, long rotations,
      long hoistedDecompositions, long plaintextProducts, long constantProducts, long rescales,
      long additions) {

    /** Key switches (relinearisations and rotations): the dominant cost. */
    public long keySwitches() {
      return relinearizations + rotations;
    }
  }

  private final CkksParameters params;
  private final int n;
  private final TreeSet<Integer> galoisUsed = new TreeSet<>();
  private long ctProducts;
  private long relins;
  private long rotations;
  private long hoisted;
  private long ptProducts;
  private long constProducts;
  private long rescales;
  private long additions;

  public DepthSimulator(CkksParameters params) {
    this.params = params;
    this.n = params.n();
  }

  @Override
  public CkksParameters parameters() {
    return params;
  }

  /** A fresh simulated ciphertext at {@code level} and {@code scale}. */
  public SimulatedCiphertext fresh(int level, double scale) {
    checkLevel(level);
    return SimulatedCiphertext.of(level, scale);
  }

  /** A fresh simulated ciphertext at the top level and the default scale. */
  public SimulatedCiphertext fresh() {
    return fresh(params.maxLevel(), params.defaultScale());
  }

  /** Galois elements used so far, sorted. */
  public int[] galoisElementsUsed() {
    return galoisUsed.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Operations so far. */
  public OpCounts counts() {
    return new OpCounts(ctProducts, relins, rotations, hoisted, ptProducts, constProducts, rescales,
        additions);
  }

  /** Forgets counts and Galois elements. */
  public void reset() {
    galoisUsed.clear();
    ctProducts = relins = rotations = hoisted = ptProducts = constProducts = rescales = additions = 0;
  }

  // ---------------------------------------------------------------- checks (as Evaluator's)

  private void checkLevel(int level) {
    if (level < 0 || level > params.maxLevel()) {
      throw new IllegalArgumentException(
          "level " + level + " outside 0.." + params.maxLevel());
    }
  }

  private static void sameLevel(SimulatedCiphertext a, SimulatedCiphertext b) {
    if (a.level() != b.level()) {
      throw new IllegalArgumentException("operands at different levels: " + a.level() + " vs "
          + b.level() + " (drop the higher one with dropToLevel)");
    }
  }

  private static void sameScale(double sa, double sb) {
    if (Math.abs(sa - sb) > Evaluator.SCALE_TOLERANCE * Math.max(sa, sb)) {
      throw new IllegalArgumentException(String.format(
          "operands at different scales: 2^%.6f vs 2^%.6f", log2(sa), log2(sb)));
    }
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static void twoParts(SimulatedCiphertext a, String what) {
    if (a.size() != 2) {
      throw new IllegalArgumentException(what + " needs a 2-part ciphertext; relinearise first");
    }
  }

  // ---------------------------------------------------------------- Arithmetic

  @Override
  public int level(SimulatedCiphertext a) {
    return a.level();
  }

  @Override
  public double scale(SimulatedCiphertext a) {
    return a.scale();
  }

  @Override
  public int size(SimulatedCiphertext a) {
    return a.size();
  }

  @Override
  public SimulatedCiphertext add(SimulatedCiphertext a, SimulatedCiphertext b) {
    sameLevel(a, b);
    sameScale(a.scale(), b.scale());
    additions++;
    return new SimulatedCiphertext(a.level(), a.scale(), Math.max(a.size(), b.size()));
  }

  @Override
  public SimulatedCiphertext sub(SimulatedCiphertext a, SimulatedCiphertext b) {
    sameLevel(a, b);
    sameScale(a.scale(), b.scale());
    additions++;
    return new SimulatedCiphertext(a.level(), a.scale(), Math.max(a.size(), b.size()));
  }

  @Override
  public SimulatedCiphertext negate(SimulatedCiphertext a) {
    additions++;
    return a;
  }

  @Override
  public SimulatedCiphertext addConstant(SimulatedCiphertext a, double c) {
    additions++;
    return a;
  }

  @Override
  public SimulatedCiphertext mulConstant(SimulatedCiphertext a, double c, double constantScale) {
    double scaled = Math.rint(c * constantScale);
    if (!(Math.abs(scaled) < 0x1p62)) {
      throw new IllegalArgumentException("constant times scale exceeds 2^62: " + c + " · " + constantScale);
    }
    constProducts++;
    return new SimulatedCiphertext(a.level(), a.scale() * constantScale, a.size());
  }

  @Override
  public SimulatedCiphertext mulInteger(SimulatedCiphertext a, long k) {
    constProducts++;
    return a;
  }

  @Override
  public SimulatedCiphertext reinterpretScale(SimulatedCiphertext a, double scale) {
    return new SimulatedCiphertext(a.level(), scale, a.size());
  }

  @Override
  public SimulatedCiphertext mul(SimulatedCiphertext a, SimulatedCiphertext b) {
    sameLevel(a, b);
    if (a.size() != 2 || b.size() != 2) {
      throw new IllegalArgumentException("mul needs 2-part ciphertexts (got " + a.size() + " and "
          + b.size() + "); relinearise first");
    }
    ctProducts++;
    return new SimulatedCiphertext(a.level(), a.scale() * b.scale(), 3);
  }

  @Override
  public SimulatedCiphertext relinearize(SimulatedCiphertext a) {
    if (a.size() == 2) {
      return a;
    }
    relins++;
    return new SimulatedCiphertext(a.level(), a.scale(), 2);
  }

  @Override
  public SimulatedCiphertext rescale(SimulatedCiphertext a) {
    if (a.level() == 0) {
      throw new IllegalArgumentException("cannot rescale at level 0: no prime left to divide by");
    }
    rescales++;
    double q = params.rlwe().q(a.level());
    return new SimulatedCiphertext(a.level() - 1, a.scale() / q, a.size());
  }

  @Override
  public SimulatedCiphertext dropToLevel(SimulatedCiphertext a, int level) {
    if (level > a.level() || level < 0) {
      throw new IllegalArgumentException("cannot drop from level " + a.level() + " to level " + level);
    }
    return new SimulatedCiphertext(level, a.scale(), a.size());
  }

  @Override
  public SimulatedCiphertext rotate(SimulatedCiphertext a, int steps) {
    if (Math.floorMod(steps, params.slots()) == 0) {
      return a;
    }
    twoParts(a, "rotation by " + steps);
    rotations++;
    galoisUsed.add(GaloisElements.forRotation(steps, params.rlwe()));
    return a;
  }

  @Override
  public SimulatedCiphertext[] rotateHoisted(SimulatedCiphertext a, int[] steps) {
    twoParts(a, "hoisted rotation");
    SimulatedCiphertext[] out = new SimulatedCiphertext[steps.length];
    boolean any = false;
    for (int i = 0; i < steps.length; i++) {
      out[i] = a;
      if (Math.floorMod(steps[i], params.slots()) != 0) {
        rotations++;
        galoisUsed.add(GaloisElements.forRotation(steps[i], params.rlwe()));
        any = true;
      }
    }
    if (any) {
      hoisted++;
    }
    return out;
  }

  @Override
  public SimulatedCiphertext conjugate(SimulatedCiphertext a) {
    twoParts(a, "conjugation");
    rotations++;
    galoisUsed.add(GaloisElements.conjugation(n));
    return a;
  }

  @Override
  public SimulatedCiphertext modRaise(SimulatedCiphertext a) {
    if (a.level() != 0 || a.size() != 2) {
      throw new IllegalArgumentException(
          "ModRaise needs a 2-part ciphertext at level 0, got " + a.size() + " parts at level " + a.level());
    }
    return new SimulatedCiphertext(params.maxLevel(), a.scale(), 2);
  }

  @Override
  public SimulatedCiphertext mulPlain(SimulatedCiphertext a, PlainVector v, double plainScale) {
    checkPlain(v, plainScale);
    ptProducts++;
    return new SimulatedCiphertext(a.level(), a.scale() * plainScale, a.size());
  }

  @Override
  public SimulatedCiphertext addPlain(SimulatedCiphertext a, PlainVector v) {
    checkPlain(v, a.scale());
    additions++;
    return a;
  }

  private void checkPlain(PlainVector v, double scale) {
    if (v.length() > params.slots()) {
      throw new IllegalArgumentException(v.length() + " values do not fit in " + params.slots() + " slots");
    }
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
  }
}
