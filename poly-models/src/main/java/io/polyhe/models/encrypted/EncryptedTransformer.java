package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.config.Architecture;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
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
 *
 * <h2>Shape</h2>
 *
 * This class is the compiled model: the layout, the approximations ({@link
 * CompiledApproximations}), the levels each segment needs, and the weights as linear transforms,
 * held by its blocks ({@link Layer}s of {@link AttentionBlock} and {@link FeedForwardBlock} behind
 * {@link NormBlock}s — sequential, or GPT-NeoX's parallel residual with one norm for both — then
 * the {@link HeadBlock}). GPT-NeoX's rotary positions are folded into the query and key
 * projections, one block per row ({@link FoldedWeights#atPosition}). {@link #forward} opens a {@link Pass} (the
 * arithmetic, the {@link RowPlaintexts} of each ciphertext, the refresh points, the recorder) and
 * runs the layers and the head on it. Weights are folded first ({@link FoldedWeights}: norm
 * weight/bias into the next linear layer, a centred residual stream for LayerNorm). Row stride
 * {@code S >= max(2d, d_ff)}, so a row has room for the FFN's {@code d_ff} columns and {@code P =
 * S/d} side-by-side blocks of {@code d}. Linear layers are {@link
 * io.polyhe.he.circuits.LinearTransform}s (BSGS diagonals, hoisted baby steps, depth 1, output
 * exactly at its target scale); biases are added afterwards for the T rows in use only, so rows
 * beyond the prompt stay near zero.
 *
 * <h2>Levels and refreshes</h2>
 *
 * Each segment (norm, attention, attention inverse, FFN, head) states the levels it needs; {@link
 * RefreshPoints} refreshes the value entering it if it has fewer.
 *
 * <p>Immutable apart from caches (row plaintexts, score masks, encodings: concurrent; the blocks,
 * built on first use); thread-safe.
 */
public final class EncryptedTransformer {
  private final Transformer model;
  private final FoldedWeights folded;
  private final BlockContext context;
  private final NormBlock norm;
  // By (first row, count); the first row is 0 unless rotary positions make biases depend on it.
  private final ConcurrentMap<List<Integer>, RowPlaintexts> rowsByStart = new ConcurrentHashMap<>();
  private volatile Blocks blocks;
  private volatile int[] galoisElements;
  private volatile io.polyhe.he.circuits.RotationSet rotations;
  private final int maxRotationKeys;

  /** The blocks that hold the weights: every layer, then the head. */
  private record Blocks(List<Layer> layers, HeadBlock head) {}

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
    this(model, params, topLevel, DEFAULT_ROTATION_KEYS);
  }

  private EncryptedTransformer(Transformer model, CkksParameters params, int topLevel, int maxRotationKeys) {
    if (topLevel < 1 || topLevel > params.maxLevel()) {
      throw new IllegalArgumentException("top level " + topLevel + " out of [1, " + params.maxLevel() + "]");
    }
    this.model = model;
    this.maxRotationKeys = maxRotationKeys;
    ModelConfig config = model.config();
    CompiledApproximations approx = CompiledApproximations.of(config, params);
    SlotLayout layout = layoutFor(config, params.slots());
    this.folded = new FoldedWeights(model);
    double streamScale = Math.sqrt(approx.norm().preferredInputScale(topLevel - 1) * params.rlwe().q(topLevel));
    boolean retain = encodingBytes(config, params, topLevel) <= ENCODING_BUDGET_BYTES;
    this.context = new BlockContext(params, config, layout, approx, topLevel, streamScale, retain,
        new ScoreMasks(layout, config, approx.power()));
    this.norm = new NormBlock(context);
    checkLevels();
  }

  // The linear layers' diagonals, built on first use: a 512-wide model takes seconds and gigabytes
  // for them, which a planner comparing parameters should not pay for every candidate.
  private Blocks blocks() {
    Blocks b = blocks;
    if (b == null) {
      synchronized (this) {
        b = blocks;
        if (b == null) {
          List<Layer> layers = new ArrayList<>();
          boolean parallel = context.config().architecture() instanceof Architecture.GptNeoX n
              && n.parallelResidual();
          for (int l = 0; l < folded.layers().size(); l++) {
            layers.add(parallel ? Layer.parallel(context, norm, l, folded) : Layer.sequential(context, norm, l, folded));
          }
          b = new Blocks(List.copyOf(layers), new HeadBlock(context, norm, folded.lmHead()));
          blocks = b;
        }
      }
    }
    return b;
  }

  /**
   * Memory the encoded weights may keep: above it (a 512-wide layer has 1023 diagonals of a
   * plaintext each), linear layers encode their diagonals on every evaluation instead, once for all
   * ciphertexts of the rows, and let them go.
   */
  static final long ENCODING_BUDGET_BYTES = 4L << 30;

  /**
   * Upper bound of the bytes every linear layer's encoded diagonals take at one level near the top.
   * With rotary positions the query and key projections have their own diagonals per ciphertext.
   */
  static long encodingBytes(ModelConfig config, CkksParameters params, int topLevel) {
    long d = config.hiddenSize();
    boolean rotary = config.architecture() instanceof Architecture.GptNeoX n && n.rotaryDims(config.headDim()) > 0;
    long tiles = rotary ? layoutFor(config, params.slots()).ciphertexts() : 1;
    long diagonals = config.numLayers() * (4L + 2 * tiles) * (2 * d - 1) + d + config.vocabSize() - 1;
    return diagonals * params.n() * 8L * (topLevel + 1);
  }

  /** Whether linear layers keep their encoded diagonals between passes (see {@link #ENCODING_BUDGET_BYTES}). */
  public boolean retainsEncodings() {
    return context.retainEncodings();
  }

  /** The most levels a segment needs from a fresh value: the fewest the parameters must have. */
  public int levelsNeeded() {
    return Math.max(Math.max(normLevels(context.topLevel(), context.streamScale()), attentionLevels()),
        Math.max(inverseLevels(), ffnLevels()));
  }

  // Every segment must fit the parameters' levels from a fresh value, or no refresh could help.
  private void checkLevels() {
    int top = context.topLevel();
    int[] needs = {normLevels(top, context.streamScale()), attentionLevels(), inverseLevels(), ffnLevels()};
    String[] names = {"the norm", "attention", "the attention inverse", "the FFN"};
    for (int i = 0; i < needs.length; i++) {
      if (needs[i] > top) {
        throw new IllegalArgumentException("model '" + context.config().name() + "': " + names[i] + " needs "
            + needs[i] + " levels, the parameters have " + top + ": choose parameters with more levels");
      }
    }
  }

  /**
   * The scale of the residual stream (and of the encrypted input): {@code sqrt(α·q_{top-1}·q_top)}
   * for the norm polynomial's {@code α}, so that the square of a top-level value lands exactly on
   * the polynomial's preferred input scale and the norm costs no extra level.
   */
  public double streamScale() {
    return context.streamScale();
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

  public Transformer model() {
    return model;
  }

  /**
   * The highest level the pass uses: fresh inputs are encrypted there and refreshes return there
   * ({@link CkksParameters#maxLevel()} unless compiled for bootstrapping).
   */
  public int topLevel() {
    return context.topLevel();
  }

  public CkksParameters parameters() {
    return context.params();
  }

  /** Where activations sit in the slots (inputs: {@code width = d}; logits: the first {@code vocab} columns). */
  public SlotLayout layout() {
    return context.layout();
  }

  public FoldedWeights foldedWeights() {
    return folded;
  }

  // ------------------------------------------------------------------ level needs

  /** Levels the norm needs for an input at {@code level} and {@code scale} (see {@link NormBlock#levels}). */
  public int normLevels(int level, double scale) {
    return NormBlock.levels(context.approximations(), context.params(), level, scale);
  }

  /** Levels attention needs from its input: Q/K/V, scores and mask, power, A·V, division, output projection. */
  public int attentionLevels() {
    return AttentionBlock.levels(context.approximations());
  }

  /** Levels the attention inverse needs from its input at the preferred scale: polynomial, division, output projection. */
  public int inverseLevels() {
    return AttentionBlock.inverseLevels(context.approximations());
  }

  /** Levels the FFN needs: up projection, activation polynomial, down projection, the mask after folding. */
  public int ffnLevels() {
    return FeedForwardBlock.levels(context.approximations());
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
    return forward(ar, inputs, tokens, refresh, recorder, true);
  }

  private <C> List<C> forward(Arithmetic<C> ar, List<C> inputs, int tokens, RefreshPoints<C> refresh,
      LatencyRecorder recorder, boolean composed) {
    Pass<C> pass = pass(composed ? composed(ar) : ar, tokens, refresh, recorder);
    pass.requireTiles(inputs, tokens);
    List<C> x = new ArrayList<>(inputs);
    Blocks b = blocks();
    for (Layer layer : b.layers()) {
      layer.apply(pass, x);
    }
    return b.head().apply(pass, x);
  }

  /**
   * A pass over {@code tokens} rows: the row plaintexts of each ciphertext they take.
   *
   * @throws IllegalArgumentException if {@code tokens} is outside {@code [1, context]}
   */
  private <C> Pass<C> pass(Arithmetic<C> ar, int tokens, RefreshPoints<C> refresh, LatencyRecorder recorder) {
    SlotLayout layout = context.layout();
    if (tokens < 1 || tokens > layout.tokens()) {
      throw new IllegalArgumentException("tokens must be in [1, " + layout.tokens() + "], got " + tokens);
    }
    List<RowPlaintexts> rows = new ArrayList<>();
    for (int a = 0; a < layout.ciphertexts(tokens); a++) {
      int first = folded.rotary() ? a * layout.rowsPerCiphertext() : 0;
      rows.add(rowsByStart.computeIfAbsent(List.of(first, layout.rowsIn(a, tokens)),
          key -> RowPlaintexts.build(key.get(0), key.get(1), folded, context)));
    }
    return new Pass<>(ar, rows, refresh, recorder);
  }

  // A pass over rows that must fit one ciphertext, for the segments below that never refresh.
  private <C> Pass<C> singlePass(Arithmetic<C> ar, int tokens) {
    Pass<C> pass = pass(composed(ar), tokens, new RefreshPoints<>() {
      @Override
      protected C fresh(C value, int level, double scale) {
        throw new IllegalStateException("this segment does not refresh; its input has too few levels");
      }
    }, new LatencyRecorder());
    if (pass.tiles() != 1) {
      throw new IllegalArgumentException(tokens + " rows take " + pass.tiles() + " ciphertexts; this step takes one");
    }
    return pass;
  }

  // ------------------------------------------------------------------ segments (package-private for tests)
  // Each composes its rotations as a pass does: the keys are those of the chosen rotation set.

  /** The norm of {@code x}'s first {@code tokens} rows: {@code x·invsqrt(mean x² + eps)} (weight and bias folded away). */
  <C> C normSegment(Arithmetic<C> ar, C x, int tokens) {
    return norm.norm(composed(ar), x, singlePass(ar, tokens).rows(0));
  }

  /** Attention of block {@code layer} on the normed input {@code h}, output projection included. */
  <C> C attentionSegment(Arithmetic<C> ar, C h, int tokens, int layer, RefreshPoints<C> refresh) {
    return attentionSegment(ar, List.of(h), tokens, layer, refresh).get(0); // it checks the count
  }

  /** Attention of block {@code layer} on the normed inputs {@code hs}, one per ciphertext the rows take. */
  <C> List<C> attentionSegment(Arithmetic<C> ar, List<C> hs, int tokens, int layer, RefreshPoints<C> refresh) {
    Pass<C> pass = pass(composed(ar), tokens, refresh, new LatencyRecorder());
    pass.requireTiles(hs, tokens);
    return blocks().layers().get(layer).block(AttentionBlock.class).apply(pass, hs);
  }

  /**
   * The query and key projections of layer {@code layer} on the normed inputs {@code hs}, biases
   * added (with rotary positions, rotated to each row's position): {@code [0]} queries, {@code [1]}
   * keys, one per ciphertext the rows take.
   */
  <C> List<List<C>> queryKeySegment(Arithmetic<C> ar, List<C> hs, int tokens, int layer) {
    Pass<C> pass = pass(composed(ar), tokens, new RefreshPoints<>() {
      @Override
      protected C fresh(C value, int level, double scale) {
        throw new IllegalStateException("projections do not refresh");
      }
    }, new LatencyRecorder());
    pass.requireTiles(hs, tokens);
    return blocks().layers().get(layer).block(AttentionBlock.class).project(pass, hs).subList(0, 2);
  }

  /** FFN of block {@code layer} on the normed input {@code h}. */
  <C> C ffnSegment(Arithmetic<C> ar, C h, int tokens, int layer) {
    Pass<C> pass = singlePass(ar, tokens);
    return blocks().layers().get(layer).block(FeedForwardBlock.class).apply(pass, List.of(h)).get(0);
  }

  /** The LM head on the normed final stream {@code y}. */
  <C> C headSegment(Arithmetic<C> ar, C y, int tokens) {
    return blocks().head().projectNormed(composed(ar), y, singlePass(ar, tokens).rows(0));
  }

  /**
   * Under the default policy (where it meets {@link #KEY_BYTES_TARGET}), at most this many rotation steps get Galois keys; a pass composes its other rotations from them
   * ({@link io.polyhe.he.circuits.ComposedRotations}). 21 keys and the relinearisation key of
   * {@code tiny} (4.46 MB each at N = 2^14) are 98.2 MB, the most under 100 MB, instead of 48 + 1
   * keys' 219 MB; the choice counts decompositions and finishes, so a 32-token pass of {@code tiny}
   * makes 500 decompositions and 555 rotations' finishes instead of 355 and 465 direct
   * (docs/decisions.md, issue 20, rotation keys).
   */
  public static final int MAX_ROTATION_KEYS = 21;

  /**
   * The default policy composes rotations only where that brings the evaluation keys (Galois and
   * relinearisation, as uploaded, in polyhe's format) to at most this many bytes. Composing costs pass
   * time (tiny at 21 keys: about a third slower than with every step direct on an AVX-512 IFMA
   * machine); a model whose keys stay
   * far above the target anyway (the Pythia-70M shape at N = 2^15: 30 keys of 11.6 MB when composed,
   * and +30 % pass time) keeps every step direct (docs/decisions.md, issue 20, third round).
   */
  public static final long KEY_BYTES_TARGET = 100_000_000L;

  /** {@link #maxRotationKeys}'s marker for the default policy ({@link #KEY_BYTES_TARGET}). */
  private static final int DEFAULT_ROTATION_KEYS = 0;

  /**
   * Composing stops before the rotations' work (decompositions and finishes, weighted by level)
   * grows by more than this fraction, so a model with many rotation steps keeps more keys rather
   * than slow down a lot; {@code tiny} at 21 keys is at +28 %.
   */
  public static final double MAX_EXTRA_ROTATION_WORK = 0.35;

  /**
   * This model with Galois keys for at most {@code maxKeys} rotation steps instead of the default
   * policy ({@link #MAX_ROTATION_KEYS} where that meets {@link #KEY_BYTES_TARGET}, else every step
   * direct): more keys upload more bytes and make passes faster (fewer rotations are composed),
   * fewer do the opposite; from the number of steps a pass uses on, every rotation is direct.
   * Client and server need nothing else in common: the manifest's Galois elements follow from it.
   *
   * @throws IllegalArgumentException if {@code maxKeys < 1}
   */
  public EncryptedTransformer withRotationKeys(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("need at least one rotation key, got " + maxKeys);
    }
    return maxKeys == maxRotationKeys ? this : new EncryptedTransformer(model, parameters(), topLevel(), maxKeys);
  }

  /** The budget {@link #withRotationKeys} set, or empty under the default policy. */
  public java.util.OptionalInt maxRotationKeys() {
    return maxRotationKeys == DEFAULT_ROTATION_KEYS ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(maxRotationKeys);
  }

  /**
   * The rotation steps every pass has keys for, chosen once from a dry run over the full context
   * with every rotation direct: under a budget, the set with the least key-switching work,
   * decompositions and finishes weighted by level ({@link io.polyhe.he.circuits.RotationSet#choose});
   * under the default policy, that set for {@link #MAX_ROTATION_KEYS} if its keys and the
   * relinearisation key fit {@link #KEY_BYTES_TARGET}, else every step the pass uses.
   */
  public io.polyhe.he.circuits.RotationSet rotationSet() {
    io.polyhe.he.circuits.RotationSet r = rotations;
    if (r == null) {
      List<io.polyhe.he.circuits.RotationSet.Call> calls = directRotationCalls(context.layout().tokens());
      int slots = parameters().slots();
      if (maxRotationKeys != DEFAULT_ROTATION_KEYS) {
        r = io.polyhe.he.circuits.RotationSet.choose(slots, calls, maxRotationKeys, MAX_EXTRA_ROTATION_WORK);
      } else {
        r = io.polyhe.he.circuits.RotationSet.choose(slots, calls, MAX_ROTATION_KEYS, MAX_EXTRA_ROTATION_WORK);
        long keyBytes = (r.base().length + 1L) * io.polyhe.he.io.HeFormat.switchingKeySize(parameters().rlwe());
        if (keyBytes > KEY_BYTES_TARGET) {
          r = io.polyhe.he.circuits.RotationSet.choose(slots, calls, Integer.MAX_VALUE, MAX_EXTRA_ROTATION_WORK);
        }
      }
      rotations = r;
    }
    return r;
  }

  /**
   * The rotation calls of a dry run over {@code tokens} rows with every rotation direct (nothing
   * composed), weighted by level: what {@link #rotationSet} chooses from, and what {@link
   * io.polyhe.he.circuits.RotationSet#work} counts a pass's decompositions and finishes on.
   */
  public List<io.polyhe.he.circuits.RotationSet.Call> directRotationCalls(int tokens) {
    io.polyhe.he.circuits.DepthSimulator sim = new io.polyhe.he.circuits.DepthSimulator(parameters());
    var recorder = new io.polyhe.he.circuits.RotationRecorder<>(sim);
    List<io.polyhe.he.circuits.SimulatedCiphertext> inputs = new ArrayList<>();
    for (int a = 0; a < context.layout().ciphertexts(tokens); a++) {
      inputs.add(sim.fresh(topLevel(), streamScale()));
    }
    forward(recorder, inputs, tokens, RefreshPoints.simulated(), new LatencyRecorder(), false);
    return recorder.calls();
  }

  private <C> Arithmetic<C> composed(Arithmetic<C> ar) {
    return ar instanceof io.polyhe.he.circuits.ComposedRotations<C> ? ar
        : new io.polyhe.he.circuits.ComposedRotations<>(ar, rotationSet());
  }

  /** Every Galois element a forward pass over up to the full context uses (from a dry run). */
  public int[] galoisElements() {
    int[] g = galoisElements;
    if (g == null) {
      // Every rotation step of a shorter prompt is one of the full context's (tested).
      g = LevelPlanner.plan(this, context.layout().tokens()).galoisElements();
      galoisElements = g;
    }
    return g.clone();
  }

  @Override
  public String toString() {
    return "EncryptedTransformer(" + context.config().name() + ", " + context.params() + ", " + context.layout() + ")";
  }
}
