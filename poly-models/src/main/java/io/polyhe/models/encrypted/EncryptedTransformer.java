package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.BlockMatrix;
import io.polyhe.he.circuits.ChebyshevPolynomial;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.circuits.PolynomialEvaluator;
import io.polyhe.he.circuits.RotateAndSum;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.models.approx.ChebyshevSeries;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The polynomial transformer compiled for CKKS parameters: the poly-plain forward pass ({@link
 * io.polyhe.models.forward.DecoderState}) over one ciphertext that holds all T token rows in the
 * model's {@link SlotLayout}, written once against {@link Arithmetic} so the level planner's dry run
 * and the real run execute the same steps.
 *
 * <h2>Layers</h2>
 *
 * Weights are folded first ({@link FoldedWeights}: norm weight/bias into the next linear layer, a
 * centred residual stream for LayerNorm). Row stride {@code S >= max(2d, d_ff)}, so a row has room
 * for the FFN's {@code d_ff} columns and {@code P = S/d} side-by-side blocks of {@code d}.
 *
 * <ul>
 *   <li><b>Linear layers</b> ({@code I_T ⊗ W}): {@link LinearTransform} (BSGS diagonals, hoisted
 *       baby steps, depth 1, output exactly at its target scale); biases are added afterwards for
 *       the T rows in use only, so rows beyond the prompt stay near zero.
 *   <li><b>Norm</b>: {@code z = x·p(Σ_row x²)} where {@code p} is the model's inverse-square-root
 *       polynomial re-expressed on the sum (interval {@code d·(range - eps)}), the row sum taken over
 *       a window of {@code 2d} slots around every column (one rotate-and-sum, no mask: the gap
 *       between rows is zero), so the sum arrives at every column of its row. Slots outside the
 *       rows get a constant inside the range added, so the polynomial stays bounded there.
 *   <li><b>Attention</b>: Q, K, V (one set of hoisted baby-step rotations for the three); the
 *       causal score diagonals {@code k = 0..-(T-1)} are computed {@code P} at a time: Q copied
 *       into all {@code P} blocks of its row, K shifted so that block {@code b} of row t holds row
 *       {@code t-b} (the blocks are disjoint, so one hoisted giant rotation by {@code g·P} rows
 *       moves them all), one product per group puts diagonal {@code -(gP+b)} in block {@code b};
 *       each product is summed over each head's {@code d_h}
 *       columns, and masked (causality, valid rows, {@code 1/√d_h}). Power {@code p} by squaring.
 *       {@code Σ_j s^p·V_j} comes before the division: each group's scores are spread over their
 *       head and multiplied by the matching rotations of V (again summed as 3-part ciphertexts),
 *       and the P blocks folded. The mask also carries {@code (i+1)^(-1/p)}, so the p-th power holds
 *       the row mean's public {@code 1/(i+1)}: the row sums of {@code s^p/(i+1)}, spread over each
 *       head, plus ε, go through the model's inverse polynomial, whose result multiplies the
 *       unnormalised output. Output projection.
 *   <li><b>FFN</b>: the input copied into every d-column block so that the up and down
 *       projections are block-diagonal ({@code 2d-1} diagonals); up lands exactly on the activation
 *       polynomial's preferred input scale; the activation polynomial; down, its blocks folded and
 *       masked back to the first. Residual adds at the lower level.
 *   <li><b>Head</b>: final norm and LM head ({@code (W·x)·r + b} beside the norm's polynomial when
 *       the vocabulary fits the first {@code d} columns); logits of row t at slots {@code [t·S,
 *       t·S + vocab)}.
 * </ul>
 *
 * <h2>Levels and refreshes</h2>
 *
 * Each segment (norm, attention, attention inverse, FFN, head) states the levels it needs; {@link
 * RefreshPoints} refreshes the value entering it if it has fewer. Polynomials are evaluated in the
 * Chebyshev basis by {@link PolynomialEvaluator} with the configured coefficients, so the values
 * are those of the poly-plain pass up to CKKS noise.
 *
 * <p>Immutable apart from encoding caches (concurrent); thread-safe.
 */
public final class EncryptedTransformer {
  private final Transformer model;
  private final ModelConfig config;
  private final CkksParameters params;
  private final SlotLayout layout;
  private final FoldedWeights folded;
  private final int d;
  private final int stride;
  private final int headDim;
  private final int pack;
  private final int power;
  private final double attentionEpsilon;
  private final List<LayerCircuits> layers = new ArrayList<>();
  private final LinearTransform lmHead;
  private final PolynomialEvaluator normPoly;
  private final PolynomialEvaluator inversePoly;
  private final PolynomialEvaluator activationPoly;
  private final double normOffset;
  private final double inverseOffset;
  private final double streamScale;
  private final int topLevel;
  private final RotateAndSum windowSum;
  private final RotateAndSum headSum;
  private final RotateAndSum headSpread;
  private final RotateAndSum blockFold;
  private final RotateAndSum ffnFold;
  private final RotateAndSum ffnCopies;
  private final RotateAndSum blockCopies;
  private volatile int[] galoisElements;
  private final boolean headAfterFactor;
  private final int ffnBlocks;
  private final ConcurrentMap<Integer, Rows> rowsByTokens = new ConcurrentHashMap<>();

  private record LayerCircuits(
      LinearTransform q, LinearTransform k, LinearTransform v, LinearTransform o,
      ConcurrentMap<Integer, LinearTransform> upByLevel, LinearTransform upDefault, LinearTransform down,
      FoldedWeights.Layer weights) {}

  /** Plaintext vectors that depend on the number of tokens in use. */
  private record Rows(int tokens, PlainVector[][] layerBiases, PlainVector lmBias, PlainVector normOffset,
      PlainVector[] scoreMasks, PlainVector rowMean, PlainVector inverseOffset, PlainVector firstBlock) {}

  private static final int Q = 0;
  private static final int K = 1;
  private static final int V = 2;
  private static final int O = 3;
  private static final int UP = 4;
  private static final int DOWN = 5;

  /**
   * Compiles {@code model} for {@code params}.
   *
   * @throws IllegalArgumentException if the model is not a power-softmax model with approximations,
   *     its context does not fit the slots at the row stride it needs, or an approximation uses
   *     Newton iterations (not evaluated on ciphertexts yet)
   */
  public EncryptedTransformer(Transformer model, CkksParameters params) {
    this(model, params, params.maxLevel());
  }

  /**
   * Compiles {@code model} for {@code params}, using levels up to {@code topLevel} only: fresh
   * inputs and refreshes land there. With bootstrapping the levels above belong to the bootstrap
   * circuit, and {@code topLevel} is its output level.
   *
   * @throws IllegalArgumentException as {@link #EncryptedTransformer(Transformer, CkksParameters)},
   *     or if {@code topLevel} is not in {@code [1, maxLevel]}
   */
  public EncryptedTransformer(Transformer model, CkksParameters params, int topLevel) {
    if (topLevel < 1 || topLevel > params.maxLevel()) {
      throw new IllegalArgumentException("top level " + topLevel + " out of [1, " + params.maxLevel() + "]");
    }
    this.topLevel = topLevel;
    this.model = model;
    this.config = model.config();
    this.params = params;
    if (!(config.attention() instanceof Attention.PowerSoftmax ps) || config.approximations().isEmpty()) {
      throw new IllegalArgumentException("model '" + config.name()
          + "' has no polynomial form (softmax attention or no approximations); only power-softmax models run encrypted");
    }
    if (ps.power() < 2 || ps.power() % 2 != 0) {
      throw new IllegalArgumentException("power-softmax power must be even and at least 2, got " + ps.power());
    }
    this.power = ps.power();
    this.attentionEpsilon = ps.epsilon();
    this.d = config.hiddenSize();
    this.headDim = config.headDim();
    this.layout = layoutFor(config, params.slots());
    this.stride = layout.rowStride();
    this.pack = stride / d;
    this.folded = new FoldedWeights(model);
    this.ffnBlocks = (config.intermediateSize() + d - 1) / d;

    Approximations ap = config.approximations().get();
    NewtonApproximation invSqrt = noNewton(ap.normInverseSqrt(), "norm_inverse_sqrt");
    NewtonApproximation inv = noNewton(ap.attentionInverse(), "attention_inverse");
    double eps = config.norm().eps();
    // p(v) on [a, b] with v = u/d + eps  <=>  the same coefficients on [d(a-eps), d(b-eps)] in u.
    this.normPoly = new PolynomialEvaluator(params, new ChebyshevPolynomial(
        d * (invSqrt.lo() - eps), d * (invSqrt.hi() - eps), invSqrt.guess().coefficients()));
    this.normOffset = d * (invSqrt.lo() - eps);
    this.inversePoly = new PolynomialEvaluator(params, chebyshev(inv.guess()));
    this.inverseOffset = inv.lo();
    this.activationPoly = new PolynomialEvaluator(params, chebyshev(ap.activation().series()));
    this.windowSum = new RotateAndSum(params, 2 * d, 1);
    this.headSum = RotateAndSum.rowSums(params, headDim);
    this.headSpread = RotateAndSum.broadcast(params, headDim);
    this.blockFold = new RotateAndSum(params, pack, d);
    this.ffnFold = new RotateAndSum(params, ffnBlocks, d);
    this.ffnCopies = new RotateAndSum(params, ffnBlocks, -d);
    this.blockCopies = new RotateAndSum(params, pack, -d);
    checkRanges(config, invSqrt, inv);
    int top = topLevel;
    this.streamScale = Math.sqrt(normPoly.preferredInputScale(top - 1) * params.rlwe().q(top));

    int rows = config.maxPositions();
    for (FoldedWeights.Layer w : folded.layers()) {
      LinearTransform up = LinearTransform.of(params,
          BlockMatrix.blockDiagonal(blockRowsUp(w.up().w()), rows, stride), null);
      LinearTransform down = LinearTransform.of(params,
          BlockMatrix.blockDiagonal(blockRowsDown(w.down().w()), rows, stride), null);
      layers.add(new LayerCircuits(linear(w.q().w(), rows), linear(w.k().w(), rows), linear(w.v().w(), rows),
          linearTo(w.o().w(), rows, streamScale), new ConcurrentHashMap<>(), up, down, w));
    }
    this.lmHead = linear(folded.lmHead().w(), rows);
    this.headAfterFactor = config.vocabSize() <= d;
    checkLevels();
  }

  // Every segment must fit the parameters' levels from a fresh value, or no refresh could help.
  private void checkLevels() {
    int top = topLevel;
    int[] needs = {normLevels(top, streamScale), attentionLevels(), inverseLevels(), ffnLevels()};
    String[] names = {"the norm", "attention", "the attention inverse", "the FFN"};
    for (int i = 0; i < needs.length; i++) {
      if (needs[i] > top) {
        throw new IllegalArgumentException("model '" + config.name() + "': " + names[i] + " needs " + needs[i]
            + " levels, the parameters have " + top + ": choose parameters with more levels");
      }
    }
  }

  /**
   * The up projection as a row map over {@code d}-column blocks: output unit {@code i} (block
   * {@code m = i/d}) reads block {@code m} of an input copied into every block, so the map is
   * block-diagonal: {@code 2d-1} diagonals instead of {@code d + d_ff - 1}.
   */
  private double[][] blockRowsUp(double[][] w) {
    double[][] m = new double[w.length][ffnBlocks * d];
    for (int i = 0; i < w.length; i++) {
      System.arraycopy(w[i], 0, m[i], (i / d) * d, d);
    }
    return m;
  }

  /**
   * The down projection as a row map: block {@code m} of the output holds the partial products of
   * block {@code m} of the input (block-diagonal, {@code 2d-1} diagonals); folding the blocks adds
   * them up.
   */
  private double[][] blockRowsDown(double[][] w) {
    int f = w[0].length;
    double[][] m = new double[ffnBlocks * d][f];
    for (int b = 0; b < ffnBlocks; b++) {
      for (int i = 0; i < d; i++) {
        for (int j = b * d; j < Math.min(f, (b + 1) * d); j++) {
          m[b * d + i][j] = w[i][j];
        }
      }
    }
    return m;
  }

  /**
   * The scale of the residual stream (and of the encrypted input): {@code sqrt(α·q_{top-1}·q_top)}
   * for the norm polynomial's {@code α}, so that the square of a top-level value lands exactly on
   * the polynomial's preferred input scale and the norm costs no extra level.
   */
  public double streamScale() {
    return streamScale;
  }

  /**
   * The slot layout the model needs: rows of stride {@code max(2d, d_ff)} rounded up to a power of
   * two, one row per position of the context.
   *
   * @throws IllegalArgumentException if that does not fit in {@code slots}
   */
  public static SlotLayout layoutFor(ModelConfig config, int slots) {
    int d = config.hiddenSize();
    int ffnWidth = (config.intermediateSize() + d - 1) / d * d; // whole d-column blocks
    int need = Math.max(Math.max(2 * d, ffnWidth), config.vocabSize());
    int stride = Integer.highestOneBit(need) == need ? need : Integer.highestOneBit(need) << 1;
    if ((long) stride * config.maxPositions() > slots) {
      throw new IllegalArgumentException("model '" + config.name() + "' needs " + config.maxPositions()
          + " rows of " + stride + " slots = " + (long) stride * config.maxPositions() + " slots; the parameters have "
          + slots + ": choose a larger ring");
    }
    return new SlotLayout(config.maxPositions(), config.hiddenSize(), stride, slots);
  }

  private static NewtonApproximation noNewton(NewtonApproximation a, String name) {
    if (a.iterations() != 0) {
      throw new IllegalArgumentException(name + " uses " + a.iterations()
          + " Newton iterations; the encrypted pass evaluates Chebyshev guesses only (refit with 0 iterations)");
    }
    return a;
  }

  private static ChebyshevPolynomial chebyshev(ChebyshevSeries s) {
    return new ChebyshevPolynomial(s.a(), s.b(), s.coefficients());
  }

  private LinearTransform linear(double[][] w, int rows) {
    return LinearTransform.of(params, BlockMatrix.blockDiagonal(w, rows, stride), null);
  }

  private LinearTransform linearTo(double[][] w, int rows, double scale) {
    return LinearTransform.of(params, BlockMatrix.blockDiagonal(w, rows, stride), null).withTargetScale(scale);
  }

  /**
   * The constants the encrypted pass adds outside the rows must keep every polynomial bounded:
   * ε must not lie below the inverse's interval, the norm's eps below its interval, and the norm
   * polynomial is evaluated a little past its interval in the gaps between rows (a gap slot sums
   * part of a row plus the offset {@code d·(lo - eps)}, up to {@code d·(hi - eps) + offset}), so
   * the Chebyshev polynomial of its degree must stay moderate there. Throws otherwise.
   */
  private static void checkRanges(ModelConfig config, NewtonApproximation invSqrt, NewtonApproximation inv) {
    Attention.PowerSoftmax ps = (Attention.PowerSoftmax) config.attention();
    if (ps.epsilon() < inv.lo() * (1 - 1e-12)) {
      throw new IllegalArgumentException("attention epsilon " + ps.epsilon() + " lies below the inverse's interval ["
          + inv.lo() + ", " + inv.hi() + "]");
    }
    double eps = config.norm().eps();
    if (!(invSqrt.lo() > eps)) {
      throw new IllegalArgumentException("norm eps " + eps + " is not below the inverse square root's interval ["
          + invSqrt.lo() + ", " + invSqrt.hi() + "]");
    }
    double overshoot = 1 + 2 * (invSqrt.lo() - eps) / (invSqrt.hi() - invSqrt.lo());
    double growth = Math.cosh(invSqrt.guess().degree() * acosh(overshoot));
    if (growth > MAX_GAP_GROWTH) {
      throw new IllegalArgumentException(String.format(
          "the norm polynomial (degree %d on [%g, %g]) grows by %.3g just past its interval, where the gaps"
              + " between rows take it; refit on a wider interval (lower lo relative to hi)",
          invSqrt.guess().degree(), invSqrt.lo(), invSqrt.hi(), growth));
    }
  }

  /** Largest growth of the norm polynomial's top Chebyshev term allowed in the row gaps (values stay far from q). */
  static final double MAX_GAP_GROWTH = 1e6;

  private static double acosh(double x) {
    return Math.log(x + Math.sqrt(x * x - 1));
  }

  public Transformer model() {
    return model;
  }

  /**
   * The highest level the pass uses: fresh inputs are encrypted there and refreshes return there
   * ({@link CkksParameters#maxLevel()} unless compiled for bootstrapping).
   */
  public int topLevel() {
    return topLevel;
  }

  public CkksParameters parameters() {
    return params;
  }

  /** Where activations sit in the slots (inputs: {@code width = d}; logits: the first {@code vocab} columns). */
  public SlotLayout layout() {
    return layout;
  }

  public FoldedWeights foldedWeights() {
    return folded;
  }

  // ------------------------------------------------------------------ level needs

  /**
   * Levels the norm needs for an input at {@code level} and {@code scale}: square, the polynomial
   * (one level more unless the square lands on its preferred scale, as the stream scale makes it
   * at the top level), product.
   */
  public int normLevels(int level, double scale) {
    if (level < 1) {
      return 1 + normPoly.depth() + 1; // refreshed anyway: what a fresh top-level value needs
    }
    return 1 + normPoly.depth(level - 1, scale * scale / params.rlwe().q(level)) + 1;
  }

  /** Levels attention needs from its input: Q/K/V, scores and mask, power, A·V, division, output projection. */
  public int attentionLevels() {
    return 1 + 2 + powerDepth() + 1 + 1 + 1;
  }

  /** Levels the attention inverse needs from its input at the preferred scale: polynomial, division, output projection. */
  public int inverseLevels() {
    return inversePoly.depth() + 2;
  }

  /** Levels the FFN needs: up projection, activation polynomial, down projection, the mask after folding. */
  public int ffnLevels() {
    return 1 + activationPoly.depth() + 1 + 1;
  }

  private int powerDepth() {
    return 32 - Integer.numberOfLeadingZeros(power - 1);
  }

  // ------------------------------------------------------------------ per-token plaintexts

  private Rows rows(int tokens) {
    if (tokens < 1 || tokens > layout.tokens()) {
      throw new IllegalArgumentException("tokens must be in [1, " + layout.tokens() + "], got " + tokens);
    }
    return rowsByTokens.computeIfAbsent(tokens, this::buildRows);
  }

  private Rows buildRows(int tokens) {
    int slots = params.slots();
    PlainVector[][] biases = new PlainVector[layers.size()][];
    for (int l = 0; l < layers.size(); l++) {
      FoldedWeights.Layer w = layers.get(l).weights();
      biases[l] = new PlainVector[] {
          rowBias(w.q().b(), tokens), rowBias(w.k().b(), tokens), rowBias(w.v().b(), tokens),
          rowBias(w.o().b(), tokens), rowBias(w.up().b(), tokens), rowBias(w.down().b(), tokens)};
    }
    double[] offset = new double[slots];
    java.util.Arrays.fill(offset, normOffset);
    for (int t = 0; t < tokens; t++) {
      java.util.Arrays.fill(offset, t * stride, t * stride + d, 0);
    }
    int groups = (tokens + pack - 1) / pack;
    PlainVector[] scoreMasks = new PlainVector[groups];
    for (int g = 0; g < groups; g++) {
      double[] m = new double[slots];
      for (int b = 0; b < pack; b++) {
        int k = g * pack + b; // diagonal -k: key t-k for query t
        for (int t = k; t < tokens; t++) {
          // (s/(t+1)^(1/p))^p = s^p/(t+1): the row mean's public 1/(i+1), carried by the mask.
          double factor = 1 / Math.sqrt(headDim) / Math.pow(t + 1, 1.0 / power);
          for (int h = 0; h < config.numHeads(); h++) {
            m[t * stride + b * d + h * headDim] = factor;
          }
        }
      }
      scoreMasks[g] = new PlainVector(m);
    }
    double[] mean = new double[slots];
    double[] invOffset = new double[slots];
    java.util.Arrays.fill(invOffset, inverseOffset);
    for (int t = 0; t < tokens; t++) {
      for (int h = 0; h < config.numHeads(); h++) {
        mean[t * stride + h * headDim] = 1;
      }
      java.util.Arrays.fill(invOffset, t * stride, t * stride + d, attentionEpsilon);
    }
    double[] first = new double[slots];
    for (int t = 0; t < tokens; t++) {
      java.util.Arrays.fill(first, t * stride, t * stride + d, 1);
    }
    return new Rows(tokens, biases, rowBias(folded.lmHead().b(), tokens), new PlainVector(offset), scoreMasks,
        new PlainVector(mean), new PlainVector(invOffset), new PlainVector(first));
  }

  private PlainVector rowBias(double[] b, int tokens) {
    double[] v = new double[(tokens - 1) * stride + b.length];
    for (int t = 0; t < tokens; t++) {
      System.arraycopy(b, 0, v, t * stride, b.length);
    }
    return new PlainVector(v);
  }

  // ------------------------------------------------------------------ the pass

  /**
   * The encrypted forward pass over the first {@code tokens} rows of {@code input} (packed by
   * {@link SlotCodec}); returns the logits ciphertext. Spans go to {@code recorder} by layer and
   * component.
   *
   * @throws IllegalArgumentException if {@code tokens} is outside {@code [1, context]}
   */
  public <C> C forward(Arithmetic<C> ar, C input, int tokens, RefreshPoints<C> refresh, LatencyRecorder recorder) {
    Rows rows = rows(tokens);
    double delta = params.defaultScale();
    int top = topLevel;
    C x = input;
    for (int l = 0; l < layers.size(); l++) {
      String name = "layer " + l;
      LayerCircuits lc = layers.get(l);
      C h;
      try (var s = recorder.span(name, Component.REFRESH)) {
        x = refresh.ensure(ar, x, normLevels(ar.level(x), ar.scale(x)), top, streamScale, name + " / attention norm");
      }
      try (var s = recorder.span(name, Component.NORM)) {
        h = norm(ar, x, rows);
      }
      try (var s = recorder.span(name, Component.REFRESH)) {
        h = refresh.ensure(ar, h, attentionLevels(), attentionLevels(), delta, name + " / attention");
      }
      C att = attention(ar, h, rows, l, lc, refresh, recorder, name);
      try (var s = recorder.span(name, Component.RESIDUAL)) {
        x = addAligned(ar, x, att);
      }
      try (var s = recorder.span(name, Component.REFRESH)) {
        x = refresh.ensure(ar, x, normLevels(ar.level(x), ar.scale(x)), top, streamScale, name + " / ffn norm");
      }
      try (var s = recorder.span(name, Component.NORM)) {
        h = norm(ar, x, rows);
      }
      try (var s = recorder.span(name, Component.REFRESH)) {
        h = refresh.ensure(ar, h, ffnLevels(), ffnLevels(), delta, name + " / ffn");
      }
      C f = ffn(ar, h, rows, l, lc, recorder, name);
      try (var s = recorder.span(name, Component.RESIDUAL)) {
        x = addAligned(ar, x, f);
      }
    }
    String name = "head";
    try (var s = recorder.span(name, Component.REFRESH)) {
      x = refresh.ensure(ar, x, normLevels(ar.level(x), ar.scale(x)), top, streamScale, name + " / final norm");
    }
    if (headAfterFactor) {
      // W·(x·r) + b = (W·x)·r + b for the per-row factor r, which covers the row's first d columns:
      // the LM head runs beside the norm's polynomial, and the head needs no level of its own.
      C r;
      C wx;
      try (var s = recorder.span(name, Component.NORM)) {
        r = normFactor(ar, x, rows);
      }
      try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
        wx = lmHead.apply(ar, x);
      }
      try (var s = recorder.span(name, Component.NORM)) {
        return ar.addPlain(multiply(ar, wx, r), rows.lmBias());
      }
    }
    C y;
    try (var s = recorder.span(name, Component.NORM)) {
      y = norm(ar, x, rows);
    }
    try (var s = recorder.span(name, Component.REFRESH)) {
      y = refresh.ensure(ar, y, 1, 1, delta, name + " / lm head");
    }
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      return ar.addPlain(lmHead.apply(ar, y), rows.lmBias());
    }
  }

  // ------------------------------------------------------------------ segments (package-private for tests)

  /** The norm of {@code x}'s first {@code tokens} rows: {@code x·invsqrt(mean x² + eps)} (weight and bias folded away). */
  <C> C normSegment(Arithmetic<C> ar, C x, int tokens) {
    return norm(ar, x, rows(tokens));
  }

  /** Attention of block {@code layer} on the normed input {@code h}, output projection included. */
  <C> C attentionSegment(Arithmetic<C> ar, C h, int tokens, int layer, RefreshPoints<C> refresh) {
    return attention(ar, h, rows(tokens), layer, layers.get(layer), refresh, new LatencyRecorder(), "layer " + layer);
  }

  /** FFN of block {@code layer} on the normed input {@code h}. */
  <C> C ffnSegment(Arithmetic<C> ar, C h, int tokens, int layer) {
    return ffn(ar, h, rows(tokens), layer, layers.get(layer), new LatencyRecorder(), "layer " + layer);
  }

  /** The LM head on the normed final stream {@code y}. */
  <C> C headSegment(Arithmetic<C> ar, C y, int tokens) {
    return ar.addPlain(lmHead.apply(ar, y), rows(tokens).lmBias());
  }

  private <C> C norm(Arithmetic<C> ar, C x, Rows rows) {
    return multiply(ar, x, normFactor(ar, x, rows));
  }

  // invsqrt(mean x² + eps) of each row, at every one of the row's first d columns.
  private <C> C normFactor(Arithmetic<C> ar, C x, Rows rows) {
    C sq = ar.rescale(ar.mulRelin(x, x));
    C u = ar.rotate(windowSum.apply(ar, sq), -(d - 1));
    return normPoly.apply(ar, ar.addPlain(u, rows.normOffset()));
  }

  // a·b at the lower of their levels, rescaled.
  private static <C> C multiply(Arithmetic<C> ar, C a, C b) {
    int level = Math.min(ar.level(a), ar.level(b));
    return ar.rescale(ar.mulRelin(ar.dropToLevel(a, level), ar.dropToLevel(b, level)));
  }

  private <C> C attention(Arithmetic<C> ar, C h, Rows rows, int l, LayerCircuits lc, RefreshPoints<C> refresh,
      LatencyRecorder recorder, String name) {
    PlainVector[] bias = rows.layerBiases()[l];
    int tokens = rows.tokens();
    C q;
    C k;
    C v;
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      List<C> qkv = LinearTransform.applyAll(ar, h, List.of(lc.q(), lc.k(), lc.v()));
      q = ar.addPlain(qkv.get(0), bias[Q]);
      k = ar.addPlain(qkv.get(1), bias[K]);
      v = ar.addPlain(qkv.get(2), bias[V]);
    }
    int blocks = Math.min(pack, tokens);
    int groups = (tokens + pack - 1) / pack;
    List<C> scores = new ArrayList<>();
    List<C> valueGroups = new ArrayList<>();
    try (var s = recorder.span(name, Component.CIPHER_MATMUL)) {
      // Q in every block; K and V shifted so that block b of row t holds row t-b. Blocks are
      // disjoint, so one giant rotation of the sum moves all of them: group g's block b then holds
      // key/value row t-gP-b (diagonal -(gP+b)), and one product with the replicated Q scores it.
      C qAll = blockCopies.apply(ar, q); // every block, whatever T: the same rotations (keys) for all T
      int[] kvSteps = new int[blocks];
      for (int b = 0; b < blocks; b++) {
        kvSteps[b] = -b * (stride + d);
      }
      C kAll = sum(ar, ar.rotateHoisted(k, kvSteps));
      C vAll = sum(ar, ar.rotateHoisted(v, kvSteps));
      int[] giants = new int[groups];
      for (int g = 0; g < groups; g++) {
        giants[g] = -g * pack * stride;
      }
      C[] kGroups = ar.rotateHoisted(kAll, giants);
      C[] vGroups = ar.rotateHoisted(vAll, giants);
      for (int g = 0; g < groups; g++) {
        C summed = headSum.apply(ar, ar.rescale(ar.mulRelin(qAll, kGroups[g])));
        scores.add(maskTo(ar, summed, rows.scoreMasks()[g], params.defaultScale()));
        valueGroups.add(vGroups[g]);
      }
    }
    List<C> powered = new ArrayList<>();
    try (var s = recorder.span(name, Component.POWER_SOFTMAX)) {
      for (C sc : scores) {
        powered.add(power(ar, sc));
      }
    }
    C unnormalised;
    try (var s = recorder.span(name, Component.CIPHER_MATMUL)) {
      C acc = null;
      for (int g = 0; g < groups; g++) {
        C a = powered.get(g);
        C term = ar.mul(headSpread.apply(ar, a), ar.dropToLevel(valueGroups.get(g), ar.level(a)));
        acc = acc == null ? term : ar.add(acc, term);
      }
      unnormalised = blockFold.apply(ar, ar.rescale(ar.relinearize(acc)));
    }
    C inverse;
    C mean;
    try (var s = recorder.span(name, Component.POWER_SOFTMAX)) {
      C sum = sum(ar, powered);
      // Row sums of s^p/(i+1) at each head's first column, spread over the head, plus ε.
      C folded = blockFold.apply(ar, sum);
      mean = maskTo(ar, folded, rows.rowMean(), inversePoly.preferredInputScale(ar.level(folded) - 1));
      mean = ar.addPlain(headSpread.apply(ar, mean), rows.inverseOffset());
    }
    try (var r = recorder.span(name, Component.REFRESH)) {
      mean = refresh.ensure(ar, mean, inversePoly.depth(ar.level(mean), ar.scale(mean)) + 2, inverseLevels(),
          inversePoly.preferredInputScale(inverseLevels()), name + " / attention inverse");
    }
    try (var s = recorder.span(name, Component.POWER_SOFTMAX)) {
      inverse = inversePoly.apply(ar, mean);
    }
    C attended;
    try (var s = recorder.span(name, Component.POWER_SOFTMAX)) {
      attended = multiply(ar, unnormalised, inverse);
    }
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      return ar.addPlain(lc.o().apply(ar, attended), bias[O]);
    }
  }

  private static <C> C sum(Arithmetic<C> ar, C[] terms) {
    return sum(ar, java.util.Arrays.asList(terms));
  }

  private static <C> C sum(Arithmetic<C> ar, List<C> terms) {
    C acc = terms.get(0);
    for (int i = 1; i < terms.size(); i++) {
      acc = ar.add(acc, terms.get(i));
    }
    return acc;
  }

  private <C> C power(Arithmetic<C> ar, C x) {
    C result = null;
    C base = x;
    int p = power;
    while (true) {
      if ((p & 1) != 0) {
        result = result == null ? base : multiply(ar, result, base);
      }
      p >>= 1;
      if (p == 0) {
        return result;
      }
      base = ar.rescale(ar.mulRelin(base, base));
    }
  }

  private <C> C ffn(Arithmetic<C> ar, C h, Rows rows, int l, LayerCircuits lc, LatencyRecorder recorder,
      String name) {
    PlainVector[] bias = rows.layerBiases()[l];
    C u;
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      C copies = ffnCopies.apply(ar, h);
      // Landing on the activation's preferred scale depends on the level (encodings cached per level).
      LinearTransform up = lc.upByLevel().computeIfAbsent(ar.level(copies),
          lv -> lc.upDefault().withTargetScale(activationPoly.preferredInputScale(Math.max(lv - 1, 0))));
      u = ar.addPlain(up.apply(ar, copies), bias[UP]);
    }
    C g;
    try (var s = recorder.span(name, Component.ACTIVATION)) {
      g = activationPoly.apply(ar, u);
    }
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      // Partial sums per block, folded into the first block; the mask clears the other blocks
      // (the residual stream must stay zero outside its d columns).
      C folded = ffnFold.apply(ar, lc.down().apply(ar, g));
      return ar.addPlain(maskTo(ar, folded, rows.firstBlock(), streamScale), bias[DOWN]);
    }
  }

  /** {@code v ⊙ mask}, landing exactly on {@code target} one level down. */
  private static <C> C maskTo(Arithmetic<C> ar, C v, PlainVector mask, double target) {
    C c = ar.relinearize(v);
    C prod = ar.mulPlain(c, mask, target * ar.q(ar.level(c)) / ar.scale(c));
    return ar.withScale(ar.rescale(prod), target);
  }

  private static <C> C addAligned(Arithmetic<C> ar, C a, C b) {
    int level = Math.min(ar.level(a), ar.level(b));
    double sa = ar.scale(a);
    double sb = ar.scale(b);
    if (Math.abs(sa - sb) > Evaluator.SCALE_TOLERANCE * Math.max(sa, sb)) {
      throw new IllegalStateException("residual add of scales " + sa + " and " + sb);
    }
    return ar.add(ar.dropToLevel(a, level), ar.withScale(ar.dropToLevel(b, level), ar.scale(a)));
  }

  /** Every Galois element a forward pass over up to the full context uses (from a dry run). */
  public int[] galoisElements() {
    int[] g = galoisElements;
    if (g == null) {
      // Every rotation step of a shorter prompt is one of the full context's (tested).
      g = LevelPlanner.plan(this, layout.tokens()).galoisElements();
      galoisElements = g;
    }
    return g.clone();
  }

  @Override
  public String toString() {
    return "EncryptedTransformer(" + config.name() + ", " + params + ", " + layout + ")";
  }
}
