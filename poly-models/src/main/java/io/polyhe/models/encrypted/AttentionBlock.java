package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Accumulator;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextOps;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.circuits.PolynomialEvaluator;
import io.polyhe.he.circuits.RotateAndSum;
import io.polyhe.models.profile.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Power-softmax attention of one layer on the normed stream, output projection included.
 *
 * <p>Q, K, V share one set of hoisted baby-step rotations. The causal score diagonals {@code k =
 * 0..-(T-1)} are computed {@code P} at a time: Q copied into all {@code P} blocks of its row, K
 * shifted so that block {@code b} of row t holds row {@code t-b} (the blocks are disjoint, so one
 * hoisted giant rotation by {@code g·P} rows moves them all); one product per group puts diagonal
 * {@code -(gP+b)} in block {@code b}; each product is summed over each head's {@code d_h} columns
 * and masked ({@link ScoreMasks}: causality, valid rows, {@code 1/√d_h}). Power {@code p} by
 * squaring. {@code Σ_j s^p·V_j} comes before the division: each group's scores are spread over their
 * head and multiplied by the matching rotations of V (summed as 3-part ciphertexts), and the P
 * blocks folded. The masks also carry {@code (i+1)^(-1/p)}, so the p-th power holds the row mean's
 * public {@code 1/(i+1)}: the row sums of {@code s^p/(i+1)}, spread over each head, plus ε, go
 * through the model's inverse polynomial, whose result multiplies the unnormalised output.
 *
 * <p>Rows over several ciphertexts: keys of tile b are shifted once (blocks, then hoisted giant
 * rotations by whole rows); query tile a scores them against its own keys causally and against
 * every earlier tile's keys in full: rotating a full tile by c rows wraps its rows around, so
 * diagonal c pairs query row t with key row (t-c) mod R, and c = 0..R-1 covers each earlier key row
 * exactly once.
 *
 * <p>Immutable apart from encoding caches (concurrent); thread-safe.
 */
final class AttentionBlock implements ResidualBlock {
  private final BlockContext c;
  private final int layer;
  private final String name;
  private final FoldedWeights folded;
  private final LinearTransform q; // null with rotary positions: per ciphertext, see rotaryQk
  private final LinearTransform k;
  private final ConcurrentMap<Integer, LinearTransform[]> rotaryByTile = new ConcurrentHashMap<>();
  private final LinearTransform v;
  private final LinearTransform o;
  private final RotateAndSum headSum;
  private final RotateAndSum headSpread;
  private final RotateAndSum blockFold;
  private final RotateAndSum blockCopies;

  /** Attention of layer {@code layer} of {@code folded}. */
  AttentionBlock(BlockContext c, FoldedWeights folded, int layer) {
    FoldedWeights.Layer w = folded.layers().get(layer);
    this.c = c;
    this.folded = folded;
    this.layer = layer;
    this.name = "layer " + layer;
    this.q = folded.rotary() ? null : c.linear(w.q().w());
    this.k = folded.rotary() ? null : c.linear(w.k().w());
    this.v = c.linear(w.v().w());
    this.o = c.linearTo(w.o().w(), c.streamScale());
    this.headSum = RotateAndSum.rowSums(c.params(), c.headDim());
    this.headSpread = RotateAndSum.broadcast(c.params(), c.headDim());
    this.blockFold = new RotateAndSum(c.params(), c.pack(), c.d());
    this.blockCopies = new RotateAndSum(c.params(), c.pack(), -c.d());
  }

  /**
   * The query and key projections of ciphertext {@code tile} under rotary positions: row t applies
   * {@code R_{tile·R+t}·W} ({@link FoldedWeights#atPosition}). Kept per ciphertext when the model
   * keeps its encodings, else made for each use and let go (their diagonals are as large as the
   * encodings).
   */
  private LinearTransform[] rotaryQk(int tile) {
    if (!c.retainEncodings()) {
      return buildRotaryQk(tile);
    }
    return rotaryByTile.computeIfAbsent(tile, this::buildRotaryQk);
  }

  private LinearTransform[] buildRotaryQk(int tile) {
    FoldedWeights.Layer w = folded.layers().get(layer);
    int rows = c.layout().rowsPerCiphertext();
    double[][][] qw = new double[rows][][];
    double[][][] kw = new double[rows][][];
    for (int t = 0; t < rows; t++) {
      qw[t] = folded.atPosition(w.q(), tile * rows + t).w();
      kw[t] = folded.atPosition(w.k(), tile * rows + t).w();
    }
    return new LinearTransform[] {c.linearPerRow(qw), c.linearPerRow(kw)};
  }

  /** Levels attention needs from its input: Q/K/V, scores and mask, power, A·V, division, output projection. */
  static int levels(CompiledApproximations a) {
    return 1 + 2 + CiphertextOps.powerDepth(a.power()) + 1 + 1 + 1;
  }

  /** Levels the attention inverse needs from its input at the preferred scale: polynomial, division, output projection. */
  static int inverseLevels(CompiledApproximations a) {
    return a.inverse().depth() + 2;
  }

  @Override
  public String segment() {
    return "attention";
  }

  @Override
  public int inputLevels() {
    return levels(c.approximations());
  }

  @Override
  public <C> List<C> apply(Pass<C> pass, List<C> hs) {
    Arithmetic<C> ar = pass.ar();
    int tiles = hs.size();
    int pack = c.pack();
    List<C> qAll = new ArrayList<>();
    List<C[]> kGroups = new ArrayList<>();
    List<C[]> vGroups = new ArrayList<>();
    List<List<C>> qkv = project(pass, hs);
    for (int a = 0; a < tiles; a++) {
      int count = pass.rows(a).count();
      C qa = qkv.get(0).get(a);
      C ka = qkv.get(1).get(a);
      C va = qkv.get(2).get(a);
      try (var s = pass.span(name, Component.CIPHER_MATMUL)) {
        // Q in every block; K and V shifted so that block b of row t holds row t-b. Blocks are
        // disjoint, so one giant rotation of the sum moves all of them: group g's block b then holds
        // key/value row t-gP-b (diagonal -(gP+b)), and one product with the replicated Q scores it.
        // A tile before the last is full (count = R), so its groups cover every diagonal 0..R-1.
        qAll.add(blockCopies.apply(ar, qa)); // every block, whatever T: the same rotations (keys) for all T
        int blocks = Math.min(pack, count);
        int groups = (count + pack - 1) / pack;
        int[] kvSteps = new int[blocks];
        for (int b = 0; b < blocks; b++) {
          kvSteps[b] = -b * (c.stride() + c.d());
        }
        C kShifted = CiphertextOps.sumOfRotations(ar, ka, kvSteps);
        C vShifted = CiphertextOps.sumOfRotations(ar, va, kvSteps);
        int[] giants = new int[groups];
        for (int g = 0; g < groups; g++) {
          giants[g] = -g * pack * c.stride();
        }
        kGroups.add(ar.rotateHoisted(kShifted, giants));
        vGroups.add(ar.rotateHoisted(vShifted, giants));
      }
    }
    List<C> attended = new ArrayList<>();
    for (int a = 0; a < tiles; a++) {
      attended.add(attendTile(pass, a, qAll.get(a), kGroups.subList(0, a + 1), vGroups.subList(0, a + 1)));
    }
    try (var s = pass.span(name, Component.PLAIN_MATMUL)) {
      List<C> projected = o.applyToAll(ar, attended);
      List<C> out = new ArrayList<>();
      for (int a = 0; a < tiles; a++) {
        out.add(ar.addPlain(projected.get(a), pass.rows(a).layer(layer).o()));
      }
      return out;
    }
  }

  /**
   * Q, K and V of {@code hs} (one ciphertext per tile), biases added: {@code [0]} queries, {@code
   * [1]} keys, {@code [2]} values, one per tile. The three share their hoisted baby-step rotations;
   * with rotary positions each ciphertext has its own Q and K ({@link #rotaryQk}), and when
   * encodings are not kept V goes over all ciphertexts at once instead, so that its diagonals are
   * encoded once.
   */
  <C> List<List<C>> project(Pass<C> pass, List<C> hs) {
    Arithmetic<C> ar = pass.ar();
    try (var s = pass.span(name, Component.PLAIN_MATMUL)) {
      List<List<C>> qkv;
      if (!folded.rotary()) {
        qkv = LinearTransform.applyAll(ar, hs, List.of(q, k, v));
      } else {
        qkv = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        boolean shareV = c.retainEncodings();
        List<C> values = shareV ? null : v.applyToAll(ar, hs);
        for (int a = 0; a < hs.size(); a++) {
          LinearTransform[] qk = rotaryQk(a);
          List<List<C>> r = LinearTransform.applyAll(ar, List.of(hs.get(a)),
              shareV ? List.of(qk[0], qk[1], v) : List.of(qk[0], qk[1]));
          qkv.get(0).add(r.get(0).get(0));
          qkv.get(1).add(r.get(1).get(0));
          qkv.get(2).add(shareV ? r.get(2).get(0) : values.get(a));
        }
      }
      List<List<C>> out = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (int a = 0; a < hs.size(); a++) {
        LayerBiases bias = pass.rows(a).layer(layer);
        out.get(0).add(ar.addPlain(qkv.get(0).get(a), bias.q()));
        out.get(1).add(ar.addPlain(qkv.get(1).get(a), bias.k()));
        out.get(2).add(ar.addPlain(qkv.get(2).get(a), bias.v()));
      }
      return out;
    }
  }

  // Query tile a against the keys and values of tiles 0..a, before the output projection.
  private <C> C attendTile(Pass<C> pass, int a, C qAll, List<C[]> kGroups, List<C[]> vGroups) {
    Arithmetic<C> ar = pass.ar();
    RowPlaintexts rows = pass.rows(a);
    PolynomialEvaluator inversePoly = c.approximations().inverse();
    List<C> scores = new ArrayList<>();
    List<C> valueGroups = new ArrayList<>();
    try (var s = pass.span(name, Component.CIPHER_MATMUL)) {
      for (int b = 0; b <= a; b++) {
        PlainVector[] masks = c.scoreMasks().of(a, rows.count(), b == a);
        C[] keys = kGroups.get(b);
        for (int g = 0; g < masks.length; g++) {
          C summed = headSum.apply(ar, CiphertextOps.multiply(ar, qAll, keys[g]));
          scores.add(CiphertextOps.maskTo(ar, summed, masks[g], c.defaultScale()));
          valueGroups.add(vGroups.get(b)[g]);
        }
      }
    }
    List<C> powered = new ArrayList<>();
    try (var s = pass.span(name, Component.POWER_SOFTMAX)) {
      for (C sc : scores) {
        powered.add(CiphertextOps.power(ar, sc, c.approximations().power()));
      }
    }
    C unnormalised;
    try (var s = pass.span(name, Component.CIPHER_MATMUL)) {
      Accumulator<C> acc = ar.accumulator();
      for (int g = 0; g < powered.size(); g++) {
        C p = powered.get(g);
        acc.add(ar.mul(headSpread.apply(ar, p), ar.dropToLevel(valueGroups.get(g), ar.level(p))));
      }
      unnormalised = blockFold.apply(ar, ar.rescale(ar.relinearize(acc.result())));
    }
    C mean;
    try (var s = pass.span(name, Component.POWER_SOFTMAX)) {
      C sum = CiphertextOps.sum(ar, powered);
      // Row sums of s^p/(i+1) at each head's first column, spread over the head, plus ε.
      C folded = blockFold.apply(ar, sum);
      mean = CiphertextOps.maskTo(ar, folded, rows.rowMean(), inversePoly.preferredInputScale(ar.level(folded) - 1));
      mean = ar.addPlain(headSpread.apply(ar, mean), rows.inverseOffset());
    }
    int inverseLevels = inverseLevels(c.approximations());
    try (var r = pass.span(name, Component.REFRESH)) {
      mean = pass.ensure(mean, inversePoly.depth(ar.level(mean), ar.scale(mean)) + 2, inverseLevels,
          inversePoly.preferredInputScale(inverseLevels), pass.where(name, a) + " / attention inverse");
    }
    C inverse;
    try (var s = pass.span(name, Component.POWER_SOFTMAX)) {
      inverse = inversePoly.apply(ar, mean);
    }
    try (var s = pass.span(name, Component.POWER_SOFTMAX)) {
      return CiphertextOps.multiply(ar, unnormalised, inverse);
    }
  }
}
