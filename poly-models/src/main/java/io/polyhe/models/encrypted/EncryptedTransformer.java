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
 * io.polyhe.models.forward.DecoderState}) over the T token rows in the model's {@link SlotLayout} —
 * one ciphertext when they fit, else full ciphertexts ("tiles") of R rows each — written once
 * against {@link Arithmetic} so the level planner's dry run and the real run execute the same steps.
 * Everything but attention works row by row, so on each tile alone with the same plaintexts;
 * attention scores each query tile against its own keys (causal) and every earlier tile's (all
 * pairs), see {@link #forward(Arithmetic, List, int, RefreshPoints, LatencyRecorder)}.
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
  private volatile Circuits circuits;
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
  private final int rowsPerTile;
  private final boolean retainEncodings;
  private final ConcurrentMap<Integer, Rows> rowsByCount = new ConcurrentHashMap<>();
  private final ConcurrentMap<List<Integer>, PlainVector[]> scoreMasksByTile = new ConcurrentHashMap<>();

  private record Circuits(List<LayerCircuits> layers, LinearTransform lmHead) {}

  private record LayerCircuits(
      LinearTransform q, LinearTransform k, LinearTransform v, LinearTransform o,
      ConcurrentMap<Integer, LinearTransform> upByLevel, LinearTransform upDefault, LinearTransform down,
      FoldedWeights.Layer weights) {}

  /**
   * Plaintext vectors of a ciphertext whose first {@code count} rows are in use (biases and offsets
   * for those rows only, so rows beyond the prompt stay near zero).
   */
  private record Rows(int count, PlainVector[][] layerBiases, PlainVector lmBias, PlainVector normOffset,
      PlainVector rowMean, PlainVector inverseOffset, PlainVector firstBlock) {}

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
    this.rowsPerTile = layout.rowsPerCiphertext();
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

    this.retainEncodings = encodingBytes(config, params, topLevel) <= ENCODING_BUDGET_BYTES;
    this.headAfterFactor = config.vocabSize() <= d;
    checkLevels();
  }

  // The linear layers' diagonals, built on first use: a 512-wide model takes seconds and gigabytes
  // for them, which a planner comparing parameters should not pay for every candidate.
  private Circuits circuits() {
    Circuits c = circuits;
    if (c == null) {
      synchronized (this) {
        c = circuits;
        if (c == null) {
          c = buildCircuits();
          circuits = c;
        }
      }
    }
    return c;
  }

  private Circuits buildCircuits() {
    int rows = rowsPerTile;
    List<LayerCircuits> layers = new ArrayList<>();
    for (FoldedWeights.Layer w : folded.layers()) {
      LinearTransform up = kept(LinearTransform.of(params,
          BlockMatrix.blockDiagonal(blockRowsUp(w.up().w()), rows, stride), null));
      LinearTransform down = kept(LinearTransform.of(params,
          BlockMatrix.blockDiagonal(blockRowsDown(w.down().w()), rows, stride), null));
      layers.add(new LayerCircuits(kept(linear(w.q().w(), rows)), kept(linear(w.k().w(), rows)),
          kept(linear(w.v().w(), rows)), kept(linearTo(w.o().w(), rows, streamScale)), new ConcurrentHashMap<>(), up,
          down, w));
    }
    return new Circuits(List.copyOf(layers), kept(linear(folded.lmHead().w(), rows)));
  }

  /**
   * Memory the encoded weights may keep: above it (a 512-wide layer has 1023 diagonals of a
   * plaintext each), linear layers encode their diagonals on every evaluation instead, once for all
   * ciphertexts of the rows, and let them go.
   */
  static final long ENCODING_BUDGET_BYTES = 4L << 30;

  /** Upper bound of the bytes every linear layer's encoded diagonals take at one level near the top. */
  static long encodingBytes(ModelConfig config, CkksParameters params, int topLevel) {
    long d = config.hiddenSize();
    long diagonals = config.numLayers() * 6L * (2 * d - 1) + d + config.vocabSize() - 1;
    return diagonals * params.n() * 8L * (topLevel + 1);
  }

  private LinearTransform kept(LinearTransform t) {
    return retainEncodings ? t : t.withTransientEncodings();
  }

  /** Whether linear layers keep their encoded diagonals between passes (see {@link #ENCODING_BUDGET_BYTES}). */
  public boolean retainsEncodings() {
    return retainEncodings;
  }

  /** The most levels a segment needs from a fresh value: the fewest the parameters must have. */
  public int levelsNeeded() {
    return Math.max(Math.max(normLevels(topLevel, streamScale), attentionLevels()),
        Math.max(inverseLevels(), ffnLevels()));
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
   * The slot layout the model needs: rows of stride {@code max(2d, d_ff, vocab)} rounded up to a
   * power of two, one row per position of the context, in one ciphertext if they fit and else in
   * full ciphertexts of {@code slots / stride} rows each.
   *
   * @throws IllegalArgumentException if one row does not fit in {@code slots}
   */
  public static SlotLayout layoutFor(ModelConfig config, int slots) {
    int d = config.hiddenSize();
    int ffnWidth = (config.intermediateSize() + d - 1) / d * d; // whole d-column blocks
    int need = Math.max(Math.max(2 * d, ffnWidth), config.vocabSize());
    int stride = Integer.highestOneBit(need) == need ? need : Integer.highestOneBit(need) << 1;
    if (stride > slots) {
      throw new IllegalArgumentException("model '" + config.name() + "' needs rows of " + stride
          + " slots; the parameters have " + slots + ": choose a larger ring");
    }
    return SlotLayout.tiled(config.maxPositions(), config.hiddenSize(), stride, slots);
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

  /** The row plaintexts of each ciphertext of a pass over {@code tokens} rows. */
  private List<Rows> tileRows(int tokens) {
    if (tokens < 1 || tokens > layout.tokens()) {
      throw new IllegalArgumentException("tokens must be in [1, " + layout.tokens() + "], got " + tokens);
    }
    List<Rows> out = new ArrayList<>();
    for (int a = 0; a < layout.ciphertexts(tokens); a++) {
      out.add(rowsByCount.computeIfAbsent(layout.rowsIn(a, tokens), this::buildRows));
    }
    return out;
  }

  private Rows rows(int tokens) {
    List<Rows> tiles = tileRows(tokens);
    if (tiles.size() != 1) {
      throw new IllegalArgumentException(tokens + " rows take " + tiles.size() + " ciphertexts; this step takes one");
    }
    return tiles.get(0);
  }

  private Rows buildRows(int count) {
    int slots = params.slots();
    PlainVector[][] biases = new PlainVector[folded.layers().size()][];
    for (int l = 0; l < biases.length; l++) {
      FoldedWeights.Layer w = folded.layers().get(l);
      biases[l] = new PlainVector[] {
          rowBias(w.q().b(), count), rowBias(w.k().b(), count), rowBias(w.v().b(), count),
          rowBias(w.o().b(), count), rowBias(w.up().b(), count), rowBias(w.down().b(), count)};
    }
    double[] offset = new double[slots];
    java.util.Arrays.fill(offset, normOffset);
    for (int t = 0; t < count; t++) {
      java.util.Arrays.fill(offset, t * stride, t * stride + d, 0);
    }
    double[] mean = new double[slots];
    double[] invOffset = new double[slots];
    java.util.Arrays.fill(invOffset, inverseOffset);
    for (int t = 0; t < count; t++) {
      for (int h = 0; h < config.numHeads(); h++) {
        mean[t * stride + h * headDim] = 1;
      }
      java.util.Arrays.fill(invOffset, t * stride, t * stride + d, attentionEpsilon);
    }
    double[] first = new double[slots];
    for (int t = 0; t < count; t++) {
      java.util.Arrays.fill(first, t * stride, t * stride + d, 1);
    }
    return new Rows(count, biases, rowBias(folded.lmHead().b(), count), new PlainVector(offset),
        new PlainVector(mean), new PlainVector(invOffset), new PlainVector(first));
  }

  /**
   * Score masks of query ciphertext {@code tile} (its first {@code count} rows in use) against the
   * keys of the same ciphertext ({@code sameTile}: causal, diagonals {@code 0..count-1}) or of an
   * earlier, full one (every pair, diagonals {@code 0..R-1}, the keys' rows wrapped around their
   * ciphertext). Each carries {@code 1/√d_h} and the row's {@code (i+1)^(-1/p)} at each head's
   * first column, so the p-th power holds the row mean's public {@code 1/(i+1)}.
   */
  private PlainVector[] scoreMasks(int tile, int count, boolean sameTile) {
    return scoreMasksByTile.computeIfAbsent(List.of(tile, count, sameTile ? 1 : 0), key -> {
      int diagonals = sameTile ? count : rowsPerTile;
      int groups = (diagonals + pack - 1) / pack;
      PlainVector[] masks = new PlainVector[groups];
      for (int g = 0; g < groups; g++) {
        double[] m = new double[params.slots()];
        for (int b = 0; b < pack; b++) {
          int k = g * pack + b; // diagonal -k: key row t-k (mod R across ciphertexts) for query row t
          if (k >= diagonals) {
            break;
          }
          for (int t = sameTile ? k : 0; t < count; t++) {
            int row = tile * rowsPerTile + t;
            double factor = 1 / Math.sqrt(headDim) / Math.pow(row + 1, 1.0 / power);
            for (int h = 0; h < config.numHeads(); h++) {
              m[t * stride + b * d + h * headDim] = factor;
            }
          }
        }
        masks[g] = new PlainVector(m);
      }
      return masks;
    });
  }

  private PlainVector rowBias(double[] b, int count) {
    double[] v = new double[(count - 1) * stride + b.length];
    for (int t = 0; t < count; t++) {
      System.arraycopy(b, 0, v, t * stride, b.length);
    }
    return new PlainVector(v);
  }

  // ------------------------------------------------------------------ the pass

  /**
   * The encrypted forward pass over the first {@code tokens} rows of {@code input} (packed by
   * {@link SlotCodec}) when they fit one ciphertext; returns the logits ciphertext.
   *
   * @throws IllegalArgumentException if {@code tokens} is outside {@code [1, context]} or the rows
   *     take more than one ciphertext
   */
  public <C> C forward(Arithmetic<C> ar, C input, int tokens, RefreshPoints<C> refresh, LatencyRecorder recorder) {
    return forward(ar, List.of(input), tokens, refresh, recorder).get(0); // it checks the count
  }

  /**
   * The encrypted forward pass over the first {@code tokens} rows, held by {@code
   * layout().ciphertexts(tokens)} input ciphertexts (packed by {@link SlotCodec#packTiles}); returns
   * the logits, one ciphertext per input. Spans go to {@code recorder} by layer and component.
   *
   * @throws IllegalArgumentException if {@code tokens} is outside {@code [1, context]} or the number
   *     of inputs is not the number of ciphertexts the rows take
   */
  public <C> List<C> forward(Arithmetic<C> ar, List<C> inputs, int tokens, RefreshPoints<C> refresh,
      LatencyRecorder recorder) {
    List<Rows> rows = tileRows(tokens);
    int tiles = rows.size();
    if (inputs.size() != tiles) {
      throw new IllegalArgumentException(tokens + " rows take " + tiles + " ciphertexts, got " + inputs.size());
    }
    List<C> x = new ArrayList<>(inputs);
    List<C> h = new ArrayList<>(inputs);
    List<LayerCircuits> layers = circuits().layers();
    for (int l = 0; l < layers.size(); l++) {
      String name = "layer " + l;
      LayerCircuits lc = layers.get(l);
      normed(ar, x, h, rows, refresh, recorder, name, "attention", attentionLevels());
      residual(ar, x, attention(ar, h, rows, l, lc, refresh, recorder, name), recorder, name);
      normed(ar, x, h, rows, refresh, recorder, name, "ffn", ffnLevels());
      residual(ar, x, ffn(ar, h, rows, l, lc, recorder, name), recorder, name);
    }
    return head(ar, x, rows, refresh, recorder);
  }

  /** {@code x += delta}, tile by tile. */
  private <C> void residual(Arithmetic<C> ar, List<C> x, List<C> delta, LatencyRecorder recorder, String name) {
    try (var s = recorder.span(name, Component.RESIDUAL)) {
      for (int a = 0; a < x.size(); a++) {
        x.set(a, addAligned(ar, x.get(a), delta.get(a)));
      }
    }
  }

  /**
   * For each tile: the stream {@code x} refreshed if its norm runs short (to the top, at the stream
   * scale), its norm into {@code h}, refreshed if {@code segment} would run short.
   */
  private <C> void normed(Arithmetic<C> ar, List<C> x, List<C> h, List<Rows> rows, RefreshPoints<C> refresh,
      LatencyRecorder recorder, String name, String segment, int segmentLevels) {
    for (int a = 0; a < x.size(); a++) {
      String where = name + tileSuffix(a, x.size());
      C xa = x.get(a);
      try (var s = recorder.span(name, Component.REFRESH)) {
        xa = refresh.ensure(ar, xa, normLevels(ar.level(xa), ar.scale(xa)), topLevel, streamScale,
            where + " / " + segment + " norm");
        x.set(a, xa);
      }
      C ha;
      try (var s = recorder.span(name, Component.NORM)) {
        ha = norm(ar, xa, rows.get(a));
      }
      try (var s = recorder.span(name, Component.REFRESH)) {
        h.set(a, refresh.ensure(ar, ha, segmentLevels, segmentLevels, params.defaultScale(), where + " / " + segment));
      }
    }
  }

  // Refresh points name the ciphertext only when the rows take several.
  private static String tileSuffix(int tile, int tiles) {
    return tiles == 1 ? "" : " (ciphertext " + tile + ")";
  }

  private <C> List<C> head(Arithmetic<C> ar, List<C> xs, List<Rows> rows, RefreshPoints<C> refresh,
      LatencyRecorder recorder) {
    String name = "head";
    double delta = params.defaultScale();
    int tiles = xs.size();
    List<C> x = new ArrayList<>();
    for (int a = 0; a < tiles; a++) {
      try (var s = recorder.span(name, Component.REFRESH)) {
        x.add(refresh.ensure(ar, xs.get(a), normLevels(ar.level(xs.get(a)), ar.scale(xs.get(a))), topLevel,
            streamScale, name + tileSuffix(a, tiles) + " / final norm"));
      }
    }
    List<C> logits = new ArrayList<>();
    if (headAfterFactor) {
      // W·(x·r) + b = (W·x)·r + b for the per-row factor r, which covers the row's first d columns:
      // the LM head runs beside the norm's polynomial, and the head needs no level of its own.
      List<C> r = new ArrayList<>();
      List<C> wx;
      try (var s = recorder.span(name, Component.NORM)) {
        for (int a = 0; a < tiles; a++) {
          r.add(normFactor(ar, x.get(a), rows.get(a)));
        }
      }
      try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
        wx = circuits().lmHead().applyToAll(ar, x);
      }
      try (var s = recorder.span(name, Component.NORM)) {
        for (int a = 0; a < tiles; a++) {
          logits.add(ar.addPlain(multiply(ar, wx.get(a), r.get(a)), rows.get(a).lmBias()));
        }
      }
      return logits;
    }
    List<C> y = new ArrayList<>();
    for (int a = 0; a < tiles; a++) {
      C ya;
      try (var s = recorder.span(name, Component.NORM)) {
        ya = norm(ar, x.get(a), rows.get(a));
      }
      try (var s = recorder.span(name, Component.REFRESH)) {
        y.add(refresh.ensure(ar, ya, 1, 1, delta, name + tileSuffix(a, tiles) + " / lm head"));
      }
    }
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      List<C> out = circuits().lmHead().applyToAll(ar, y);
      for (int a = 0; a < tiles; a++) {
        logits.add(ar.addPlain(out.get(a), rows.get(a).lmBias()));
      }
      return logits;
    }
  }

  // ------------------------------------------------------------------ segments (package-private for tests)

  /** The norm of {@code x}'s first {@code tokens} rows: {@code x·invsqrt(mean x² + eps)} (weight and bias folded away). */
  <C> C normSegment(Arithmetic<C> ar, C x, int tokens) {
    return norm(ar, x, rows(tokens));
  }

  /** Attention of block {@code layer} on the normed input {@code h}, output projection included. */
  <C> C attentionSegment(Arithmetic<C> ar, C h, int tokens, int layer, RefreshPoints<C> refresh) {
    return attentionSegment(ar, List.of(h), tokens, layer, refresh).get(0); // it checks the count
  }

  /** Attention of block {@code layer} on the normed inputs {@code hs}, one per ciphertext the rows take. */
  <C> List<C> attentionSegment(Arithmetic<C> ar, List<C> hs, int tokens, int layer, RefreshPoints<C> refresh) {
    List<Rows> rows = tileRows(tokens);
    if (hs.size() != rows.size()) {
      throw new IllegalArgumentException(tokens + " rows take " + rows.size() + " ciphertexts, got " + hs.size());
    }
    return attention(ar, hs, rows, layer, circuits().layers().get(layer), refresh, new LatencyRecorder(), "layer " + layer);
  }

  /** FFN of block {@code layer} on the normed input {@code h}. */
  <C> C ffnSegment(Arithmetic<C> ar, C h, int tokens, int layer) {
    return ffn(ar, List.of(h), List.of(rows(tokens)), layer, circuits().layers().get(layer), new LatencyRecorder(),
        "layer " + layer).get(0);
  }

  /** The LM head on the normed final stream {@code y}. */
  <C> C headSegment(Arithmetic<C> ar, C y, int tokens) {
    return ar.addPlain(circuits().lmHead().apply(ar, y), rows(tokens).lmBias());
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

  /**
   * Attention over the rows of {@code hs} (one ciphertext per tile of R rows). Keys of tile b are
   * shifted once (blocks, then hoisted giant rotations by whole rows); query tile a scores them
   * against its own keys causally and against every earlier tile's keys in full: rotating a full
   * tile by c rows wraps its rows around, so diagonal c pairs query row t with key row (t-c) mod R,
   * and c = 0..R-1 covers each earlier key row exactly once.
   */
  private <C> List<C> attention(Arithmetic<C> ar, List<C> hs, List<Rows> rows, int l, LayerCircuits lc,
      RefreshPoints<C> refresh, LatencyRecorder recorder, String name) {
    int tiles = hs.size();
    List<C> qAll = new ArrayList<>();
    List<C[]> kGroups = new ArrayList<>();
    List<C[]> vGroups = new ArrayList<>();
    List<List<C>> qkv;
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      qkv = LinearTransform.applyAll(ar, hs, List.of(lc.q(), lc.k(), lc.v()));
    }
    for (int a = 0; a < tiles; a++) {
      PlainVector[] bias = rows.get(a).layerBiases()[l];
      int count = rows.get(a).count();
      C q;
      C k;
      C v;
      try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
        q = ar.addPlain(qkv.get(0).get(a), bias[Q]);
        k = ar.addPlain(qkv.get(1).get(a), bias[K]);
        v = ar.addPlain(qkv.get(2).get(a), bias[V]);
      }
      try (var s = recorder.span(name, Component.CIPHER_MATMUL)) {
        // Q in every block; K and V shifted so that block b of row t holds row t-b. Blocks are
        // disjoint, so one giant rotation of the sum moves all of them: group g's block b then holds
        // key/value row t-gP-b (diagonal -(gP+b)), and one product with the replicated Q scores it.
        // A tile before the last is full (count = R), so its groups cover every diagonal 0..R-1.
        qAll.add(blockCopies.apply(ar, q)); // every block, whatever T: the same rotations (keys) for all T
        int blocks = Math.min(pack, count);
        int groups = (count + pack - 1) / pack;
        int[] kvSteps = new int[blocks];
        for (int b = 0; b < blocks; b++) {
          kvSteps[b] = -b * (stride + d);
        }
        C kShifted = sum(ar, ar.rotateHoisted(k, kvSteps));
        C vShifted = sum(ar, ar.rotateHoisted(v, kvSteps));
        int[] giants = new int[groups];
        for (int g = 0; g < groups; g++) {
          giants[g] = -g * pack * stride;
        }
        kGroups.add(ar.rotateHoisted(kShifted, giants));
        vGroups.add(ar.rotateHoisted(vShifted, giants));
      }
    }
    List<C> attended = new ArrayList<>();
    for (int a = 0; a < tiles; a++) {
      attended.add(attendTile(ar, a, qAll.get(a), kGroups.subList(0, a + 1), vGroups.subList(0, a + 1), rows.get(a),
          refresh, recorder, name, name + tileSuffix(a, tiles)));
    }
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      List<C> projected = lc.o().applyToAll(ar, attended);
      List<C> out = new ArrayList<>();
      for (int a = 0; a < tiles; a++) {
        out.add(ar.addPlain(projected.get(a), rows.get(a).layerBiases()[l][O]));
      }
      return out;
    }
  }

  // Query tile a against the keys and values of tiles 0..a, before the output projection.
  private <C> C attendTile(Arithmetic<C> ar, int a, C qAll, List<C[]> kGroups, List<C[]> vGroups, Rows rows,
      RefreshPoints<C> refresh, LatencyRecorder recorder, String name, String where) {
    List<C> scores = new ArrayList<>();
    List<C> valueGroups = new ArrayList<>();
    try (var s = recorder.span(name, Component.CIPHER_MATMUL)) {
      for (int b = 0; b <= a; b++) {
        PlainVector[] masks = scoreMasks(a, rows.count(), b == a);
        C[] keys = kGroups.get(b);
        for (int g = 0; g < masks.length; g++) {
          C summed = headSum.apply(ar, multiply(ar, qAll, keys[g]));
          scores.add(maskTo(ar, summed, masks[g], params.defaultScale()));
          valueGroups.add(vGroups.get(b)[g]);
        }
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
      for (int g = 0; g < powered.size(); g++) {
        C p = powered.get(g);
        C term = ar.mul(headSpread.apply(ar, p), ar.dropToLevel(valueGroups.get(g), ar.level(p)));
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
          inversePoly.preferredInputScale(inverseLevels()), where + " / attention inverse");
    }
    try (var s = recorder.span(name, Component.POWER_SOFTMAX)) {
      inverse = inversePoly.apply(ar, mean);
    }
    try (var s = recorder.span(name, Component.POWER_SOFTMAX)) {
      return multiply(ar, unnormalised, inverse);
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

  private <C> List<C> ffn(Arithmetic<C> ar, List<C> hs, List<Rows> rows, int l, LayerCircuits lc,
      LatencyRecorder recorder, String name) {
    int tiles = hs.size();
    List<C> u = new ArrayList<>();
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      List<C> copies = new ArrayList<>();
      for (C h : hs) {
        copies.add(ffnCopies.apply(ar, h));
      }
      // Landing on the activation's preferred scale depends on the level (encodings cached per
      // level), so tiles are transformed together level by level (they normally share one).
      java.util.Map<Integer, List<Integer>> byLevel = new java.util.TreeMap<>();
      for (int a = 0; a < tiles; a++) {
        byLevel.computeIfAbsent(ar.level(copies.get(a)), k -> new ArrayList<>()).add(a);
        u.add(null);
      }
      for (var e : byLevel.entrySet()) {
        LinearTransform up = lc.upByLevel().computeIfAbsent(e.getKey(),
            lv -> lc.upDefault().withTargetScale(activationPoly.preferredInputScale(Math.max(lv - 1, 0))));
        List<C> in = new ArrayList<>();
        for (int a : e.getValue()) {
          in.add(copies.get(a));
        }
        List<C> out = up.applyToAll(ar, in);
        for (int i = 0; i < out.size(); i++) {
          int a = e.getValue().get(i);
          u.set(a, ar.addPlain(out.get(i), rows.get(a).layerBiases()[l][UP]));
        }
      }
    }
    List<C> g = new ArrayList<>();
    try (var s = recorder.span(name, Component.ACTIVATION)) {
      for (C x : u) {
        g.add(activationPoly.apply(ar, x));
      }
    }
    try (var s = recorder.span(name, Component.PLAIN_MATMUL)) {
      // Partial sums per block, folded into the first block; the mask clears the other blocks
      // (the residual stream must stay zero outside its d columns).
      List<C> down = lc.down().applyToAll(ar, g);
      List<C> out = new ArrayList<>();
      for (int a = 0; a < tiles; a++) {
        C folded = ffnFold.apply(ar, down.get(a));
        out.add(ar.addPlain(maskTo(ar, folded, rows.get(a).firstBlock(), streamScale),
            rows.get(a).layerBiases()[l][DOWN]));
      }
      return out;
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
