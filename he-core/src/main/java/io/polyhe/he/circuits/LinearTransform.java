package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.GaloisElements;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A plaintext linear map of the slots applied to an encrypted slot vector, plus an optional bias:
 * the diagonal method with baby-step/giant-step and hoisted rotations, {@code M·v = Σ_g rot(Σ_b
 * rot(diag_{g+b}, -g) ⊙ rot(v, b), g)}. The baby rotations {@code rot(v, b)} share one
 * decomposition ({@link Arithmetic#rotateHoisted}); each giant step costs one rotation; the
 * diagonals are pre-rotated by {@code -g} in the clear. The baby-step size minimises the number of
 * rotations for the map's actual diagonals, searched as {@link BabySteps} says.
 *
 * <p>The map is a {@link BlockMatrix} (real diagonals; for {@code I_T ⊗ W} with equal strides there
 * are {@code d_in + d_out - 1}), or is given by its complex diagonals ({@link #ofDiagonals}: the
 * DFT factors of bootstrapping).
 *
 * <p>Depth 1: the products are summed (and giant-rotated) before a single rescale, and the
 * diagonals are encoded at {@code target·q_l/scale(input)} so that the output lands exactly on the
 * target scale (default: the parameters' default scale). The bias is added after the rescale.
 * Encoded diagonals are cached per level and input scale in {@link PlainVector}s ({@link
 * #precompute} fills the cache ahead of time).
 *
 * <p>Immutable apart from the caches; thread-safe.
 */
public final class LinearTransform implements UnaryCircuit {

  /** Which baby-step sizes the search tries; each picks the cheapest (fewest rotations), the smallest on ties. */
  public enum BabySteps {
    /**
     * Every size from 1 to about four times the square root of the offsets' span: for dense bands
     * of consecutive diagonals (matrix layers).
     */
    ANY_SIZE,
    /**
     * Powers of two times the offsets' common stride, up to N/2: for few diagonals at large,
     * regular distances (DFT factors). Baby and giant steps then stay powers of two times the
     * stride, so CoeffsToSlots and SlotsToCoeffs share their rotations, hence their Galois keys.
     */
    POWERS_OF_TWO
  }

  private final CkksParameters params;
  /** The block matrix, or null for a map given by its diagonals. */
  private final BlockMatrix matrix;
  private final int inputPeriod;
  private final int babyStep;
  /** Giant offset g -> (baby offset b -> pre-rotated diagonal). */
  private final Map<Integer, Map<Integer, PlainVector>> plan;
  private final int[] babySteps;
  private final PlainVector bias;
  private final double targetScale;
  private final int[] galois;
  /** Whether encodings of the diagonals are kept (per level and scale) for later evaluations. */
  private final boolean retainEncodings;

  /**
   * @param diagonals offset -> {re, im} over all slots, im null for real diagonals
   */
  private LinearTransform(CkksParameters params, BlockMatrix matrix, int inputPeriod,
      Map<Integer, double[][]> diagonals, BabySteps search, double[] biasRow, double targetScale) {
    if (!(targetScale >= 1) || Double.isInfinite(targetScale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + targetScale);
    }
    this.params = params;
    this.matrix = matrix;
    this.inputPeriod = inputPeriod;
    this.targetScale = targetScale;
    this.retainEncodings = true;
    if (diagonals.isEmpty()) {
      throw new IllegalArgumentException(matrix != null ? "the matrix is zero" : "no diagonals");
    }
    this.babyStep = chooseBabyStep(diagonals.keySet(), search, params.slots());
    this.plan = new TreeMap<>();
    TreeSet<Integer> babies = new TreeSet<>();
    for (Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      int k = e.getKey();
      int b = Math.floorMod(k, babyStep);
      int g = k - b;
      babies.add(b);
      double[][] d = e.getValue();
      PlainVector rotated = d[1] == null ? new PlainVector(DiagonalEncoder.rotate(d[0], -g))
          : PlainVector.complex(DiagonalEncoder.rotate(d[0], -g), DiagonalEncoder.rotate(d[1], -g));
      plan.computeIfAbsent(g, x -> new TreeMap<>()).put(b, rotated);
    }
    this.babySteps = babies.stream().mapToInt(Integer::intValue).toArray();
    int n = params.n();
    this.galois = Levels.sortedDistinct(IntStream.concat(
        java.util.Arrays.stream(GaloisElements.forRotations(babySteps, params.rlwe())),
        java.util.Arrays.stream(GaloisElements.forRotations(
            plan.keySet().stream().mapToInt(Integer::intValue).toArray(), params.rlwe()))));
    if (biasRow != null) {
      if (biasRow.length != matrix.outputDimension()) {
        throw new IllegalArgumentException("bias has " + biasRow.length + " values, the output rows have "
            + matrix.outputDimension());
      }
      double[] full = new double[matrix.outputSlots()];
      for (int t = 0; t < matrix.blocks(); t++) {
        System.arraycopy(biasRow, 0, full, t * matrix.outStride(), biasRow.length);
      }
      this.bias = new PlainVector(full);
    } else {
      this.bias = null;
    }
  }

  private static LinearTransform ofMatrix(CkksParameters params, BlockMatrix matrix, int inputPeriod, double[] bias) {
    Map<Integer, double[][]> diagonals = new TreeMap<>();
    for (Map.Entry<Integer, double[]> e : DiagonalEncoder.diagonals(matrix, params.slots(), inputPeriod).entrySet()) {
      diagonals.put(e.getKey(), new double[][] {e.getValue(), null});
    }
    return new LinearTransform(params, matrix, inputPeriod, diagonals, BabySteps.ANY_SIZE, bias,
        params.defaultScale());
  }

  /**
   * {@code M·v (+ bias)} for the block matrix {@code matrix}; the bias (length {@code d_out}, may be
   * null) is added to every output row. Outputs land at the default scale.
   *
   * @throws IllegalArgumentException if the matrix does not fit in the slots, is zero, or the bias
   *     has the wrong length
   */
  public static LinearTransform of(CkksParameters params, BlockMatrix matrix, double[] bias) {
    return ofMatrix(params, matrix, 0, bias);
  }

  /**
   * As {@link #of}, for an input that repeats every {@code inputPeriod} slots (a divisor of the
   * slot count), which needs fewer diagonals (see {@link DiagonalEncoder}).
   */
  public static LinearTransform ofPeriodicInput(CkksParameters params, BlockMatrix matrix, int inputPeriod,
      double[] bias) {
    if (inputPeriod <= 0) {
      throw new IllegalArgumentException("input period must be positive, got " + inputPeriod);
    }
    return ofMatrix(params, matrix, inputPeriod, bias);
  }

  /**
   * The map {@code (M·v)[i] = Σ_k d_k[i]·v[(i + k) mod N/2]} given by its non-zero complex
   * diagonals {@code d_k = {re, im}} (N/2 values each; {@code im} may be null for a real one),
   * without a bias. Outputs land at the default scale. For an input that repeats with period
   * {@code n}, a map of period {@code n} may use any offset {@code k} congruent mod {@code n}: the
   * offsets given are the rotations applied.
   *
   * @throws IllegalArgumentException if there are no diagonals, one has the wrong length or a
   *     value that is not finite
   */
  public static LinearTransform ofDiagonals(CkksParameters params, Map<Integer, double[][]> diagonals,
      BabySteps search) {
    int slots = params.slots();
    for (Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      double[][] d = e.getValue();
      if (d.length != 2 || d[0].length != slots || d[1] != null && d[1].length != slots) {
        throw new IllegalArgumentException("diagonal " + e.getKey() + " must hold {re, im} of " + slots
            + " values each");
      }
    }
    // The constructor keeps rotated copies only: the caller's arrays are neither kept nor changed.
    return new LinearTransform(params, null, 0, new TreeMap<>(diagonals), search, null, params.defaultScale());
  }

  /**
   * The same transformation with outputs landing at {@code scale}. It shares this one's diagonals
   * and their encodings (cached by level and plaintext scale, so both stay correct).
   */
  public LinearTransform withTargetScale(double scale) {
    return new LinearTransform(this, scale, retainEncodings);
  }

  /**
   * The same transformation without kept encodings: each evaluation encodes the diagonals it needs
   * (once for all inputs of {@link #applyToAll}) and lets them go. For layers whose encodings
   * would not fit in memory (a 512 × 512 layer has 1023 diagonals, each a plaintext of all the
   * limbs of its level), at the price of encoding them on every evaluation.
   */
  public LinearTransform withTransientEncodings() {
    return new LinearTransform(this, targetScale, false);
  }

  /** Whether encodings are kept between evaluations (see {@link #withTransientEncodings()}). */
  public boolean retainsEncodings() {
    return retainEncodings;
  }

  private LinearTransform(LinearTransform other, double targetScale, boolean retainEncodings) {
    if (!(targetScale >= 1) || Double.isInfinite(targetScale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + targetScale);
    }
    this.params = other.params;
    this.matrix = other.matrix;
    this.inputPeriod = other.inputPeriod;
    this.babyStep = other.babyStep;
    this.plan = other.plan;
    this.babySteps = other.babySteps;
    this.bias = other.bias;
    this.galois = other.galois;
    this.targetScale = targetScale;
    this.retainEncodings = retainEncodings;
  }

  public double targetScale() {
    return targetScale;
  }

  /** Number of non-zero generalised diagonals. */
  public int diagonalCount() {
    int c = 0;
    for (Map<Integer, PlainVector> m : plan.values()) {
      c += m.size();
    }
    return c;
  }

  /** The baby-step size. */
  public int babyStep() {
    return babyStep;
  }

  /** Rotations per evaluation: hoisted baby steps plus giant steps (zero offsets excluded). */
  public int rotationCount() {
    int r = 0;
    for (int b : babySteps) {
      r += b != 0 ? 1 : 0;
    }
    for (int g : plan.keySet()) {
      r += g != 0 ? 1 : 0;
    }
    return r;
  }

  @Override
  public int depth() {
    return 1;
  }

  @Override
  public int[] galoisElements() {
    return galois.clone();
  }

  @Override
  public boolean needsRelinearizationKey() {
    return false;
  }

  /**
   * The plain result over all slots: {@code M·v + bias}, computed from the block matrix (the
   * reference of the circuit).
   *
   * @throws IllegalStateException for a map given by its diagonals ({@link #ofDiagonals})
   */
  public double[] applyPlain(double[] v) {
    if (matrix == null) {
      throw new IllegalStateException("a linear transform given by its diagonals has no block matrix");
    }
    int slots = params.slots();
    double[] in = v;
    if (inputPeriod != 0) {
      in = new double[slots];
      for (int i = 0; i < slots; i++) {
        in[i] = i % inputPeriod < v.length ? v[i % inputPeriod] : 0;
      }
    }
    double[] out = matrix.multiply(in, slots);
    if (bias != null) {
      for (int i = 0; i < bias.length(); i++) {
        out[i] += bias.value(i);
      }
    }
    return out;
  }

  /** Encodes every diagonal (and the bias) for inputs at {@code level} and {@code inputScale}. */
  public void precompute(CiphertextArithmetic ar, int level, double inputScale) {
    double ptScale = targetScale * ar.q(level) / inputScale;
    for (Map<Integer, PlainVector> m : plan.values()) {
      for (PlainVector d : m.values()) {
        d.encoded(ar.encoder(), params, level, ptScale);
      }
    }
    if (bias != null && level > 0) {
      bias.encoded(ar.encoder(), params, level - 1, targetScale);
    }
  }

  /** Encodings the diagonals keep (0 after evaluations of a transform without kept encodings). */
  public int cachedEncodings() {
    int c = 0;
    for (Map<Integer, PlainVector> m : plan.values()) {
      for (PlainVector d : m.values()) {
        c += d.cachedEncodings();
      }
    }
    return c;
  }

  /** Drops every cached encoding. */
  public void clearCache() {
    for (Map<Integer, PlainVector> m : plan.values()) {
      for (PlainVector d : m.values()) {
        d.clearCache();
      }
    }
    if (bias != null) {
      bias.clearCache();
    }
  }

  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    return applyToAll(ar, java.util.List.of(input)).get(0);
  }

  /**
   * The transformation of each of {@code inputs} (rows of one activation split over several
   * ciphertexts): each diagonal is encoded once for all of them. Same results as applying it to
   * each in turn.
   */
  public <C> java.util.List<C> applyToAll(Arithmetic<C> ar, java.util.List<C> inputs) {
    return applyAll(ar, inputs, java.util.List.of(this)).get(0);
  }

  /**
   * Several transforms of the same input, sharing the hoisted baby-step rotations where their baby
   * steps coincide (Q, K and V of one attention layer: three transforms, one set of rotations).
   * Same results as applying each in turn.
   */
  public static <C> java.util.List<C> applyAll(Arithmetic<C> ar, C input, java.util.List<LinearTransform> transforms) {
    java.util.List<C> out = new java.util.ArrayList<>();
    for (java.util.List<C> perTransform : applyAll(ar, java.util.List.of(input), transforms)) {
      out.add(perTransform.get(0));
    }
    return out;
  }

  /**
   * {@link #applyAll(Arithmetic, Object, java.util.List)} for each of several inputs: result {@code
   * [t][i]} is transform t of input i. Baby steps are shared per input, encodings across inputs.
   */
  public static <C> java.util.List<java.util.List<C>> applyAll(Arithmetic<C> ar, java.util.List<C> inputs,
      java.util.List<LinearTransform> transforms) {
    java.util.List<C> prepared = new java.util.ArrayList<>();
    for (C input : inputs) {
      prepared.add(transforms.isEmpty() ? input : transforms.get(0).prepare(ar, input));
    }
    java.util.List<Map<String, C[]>> shared = new java.util.ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      shared.add(new java.util.HashMap<>());
    }
    java.util.List<java.util.List<C>> out = new java.util.ArrayList<>();
    for (LinearTransform t : transforms) {
      java.util.List<C[]> babies = new java.util.ArrayList<>();
      for (int i = 0; i < prepared.size(); i++) {
        C v = prepared.get(i);
        t.prepare(ar, v); // checks parameters and level
        babies.add(shared.get(i).computeIfAbsent(java.util.Arrays.toString(t.babySteps),
            k -> ar.rotateHoisted(v, t.babySteps)));
      }
      out.add(t.fromBabies(ar, prepared, babies));
    }
    return out;
  }

  private <C> C prepare(Arithmetic<C> ar, C input) {
    Levels.checkParameters(params, ar, "linear transform");
    Levels.require("linear transform", ar.level(input), 1);
    return ar.size(input) == 3 ? ar.relinearize(input) : input;
  }

  private <C> java.util.List<C> fromBabies(Arithmetic<C> ar, java.util.List<C> vs, java.util.List<C[]> rotated) {
    int count = vs.size();
    java.util.List<Map<Integer, C>> byBaby = new java.util.ArrayList<>();
    for (C[] r : rotated) {
      Map<Integer, C> m = new TreeMap<>();
      for (int i = 0; i < babySteps.length; i++) {
        m.put(babySteps[i], r[i]);
      }
      byBaby.add(m);
    }
    java.util.List<Accumulator<C>> acc = new java.util.ArrayList<>();
    for (int a = 0; a < count; a++) {
      acc.add(ar.accumulator());
    }
    for (Map.Entry<Integer, Map<Integer, PlainVector>> giant : plan.entrySet()) {
      Map<Integer, PlainVector> terms = giant.getValue();
      PlainVector[] diagonals = new PlainVector[terms.size()];
      int i = 0;
      for (PlainVector d : terms.values()) {
        // A transient copy caches its encoding only for the inputs of this evaluation.
        diagonals[i++] = retainEncodings ? d : d.copy();
      }
      for (int a = 0; a < count; a++) {
        C v = vs.get(a);
        double ptScale = targetScale * ar.q(ar.level(v)) / ar.scale(v);
        C[] cts = java.util.Arrays.copyOf(rotated.get(a), terms.size()); // an array of C's runtime type
        int j = 0;
        for (int b : terms.keySet()) {
          cts[j++] = byBaby.get(a).get(b);
        }
        acc.get(a).add(ar.rotate(ar.mulPlainSum(cts, diagonals, ptScale), giant.getKey()));
      }
    }
    java.util.List<C> out = new java.util.ArrayList<>();
    for (Accumulator<C> sum : acc) {
      C o = ar.reinterpretScale(ar.rescale(sum.result()), targetScale);
      out.add(bias != null ? ar.addPlain(o, bias) : o);
    }
    return out;
  }

  /**
   * Baby-step size minimising baby plus giant rotations for the given offsets, among the sizes
   * {@code search} tries ({@code slots} bounds the powers of two). For {@link BabySteps#ANY_SIZE} the
   * optimum lies near the square root of the offsets' span, so sizes up to a few times that are tried.
   */
  static int chooseBabyStep(java.util.Set<Integer> offsets, BabySteps search, int slots) {
    IntStream sizes = switch (search) {
      case ANY_SIZE -> {
        int min = offsets.stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = offsets.stream().mapToInt(Integer::intValue).max().orElse(0);
        int span = max - min + 1;
        yield IntStream.rangeClosed(1, Math.min(span, 4 * (int) Math.ceil(Math.sqrt(span)) + 4));
      }
      case POWERS_OF_TWO -> {
        int stride = 0;
        for (int k : offsets) {
          stride = gcd(stride, k);
        }
        yield IntStream.iterate(Math.max(1, stride), s -> s <= Math.max(slots, 1), s -> 2 * s);
      }
    };
    int best = 1;
    int bestCost = Integer.MAX_VALUE;
    for (int n1 : (Iterable<Integer>) sizes::iterator) {
      java.util.HashSet<Integer> babies = new java.util.HashSet<>();
      java.util.HashSet<Integer> giants = new java.util.HashSet<>();
      for (int k : offsets) {
        int b = Math.floorMod(k, n1);
        babies.add(b);
        giants.add(k - b);
      }
      int cost = (babies.size() - (babies.contains(0) ? 1 : 0))
          + (giants.size() - (giants.contains(0) ? 1 : 0));
      if (cost < bestCost) {
        bestCost = cost;
        best = n1;
      }
    }
    return best;
  }

  private static int gcd(int a, int b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  @Override
  public String toString() {
    String shape = matrix == null ? "" : matrix.outputDimension() + "x" + matrix.inputDimension() + " x "
        + matrix.blocks() + " blocks, ";
    return "LinearTransform(" + shape + "diagonals " + diagonalCount() + ", baby " + babyStep
        + ", rotations " + rotationCount() + (bias != null ? ", bias" : "") + ")";
  }
}
