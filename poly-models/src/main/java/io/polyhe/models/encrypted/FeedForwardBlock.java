package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextOps;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.he.circuits.RotateAndSum;
import io.polyhe.models.profile.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The feed-forward network of one layer on the normed stream: the input copied into every
 * {@code d}-column block of its row so that the up and down projections are block-diagonal ({@code
 * 2d-1} diagonals instead of {@code d + d_ff - 1}); up lands exactly on the activation
 * polynomial's preferred input scale; the activation polynomial; down, its blocks folded and
 * masked back to the first (the residual stream must stay zero outside its {@code d} columns), at
 * the stream scale.
 *
 * <p>Immutable apart from encoding caches and the up projection per input level (concurrent);
 * thread-safe.
 */
final class FeedForwardBlock implements ResidualBlock {
  private final BlockContext c;
  private final int layer;
  private final String name;
  private final LinearTransform upDefault;
  private final ConcurrentMap<Integer, LinearTransform> upByLevel = new ConcurrentHashMap<>();
  private final LinearTransform down;
  private final RotateAndSum ffnFold;
  private final RotateAndSum ffnCopies;

  /** The FFN of layer {@code layer} with its folded weights {@code w}. */
  FeedForwardBlock(BlockContext c, int layer, FoldedWeights.Layer w) {
    this.c = c;
    this.layer = layer;
    this.name = "layer " + layer;
    int d = c.d();
    int blocks = (c.config().intermediateSize() + d - 1) / d;
    this.upDefault = c.linear(blockRowsUp(w.up().w(), blocks, d));
    this.down = c.linear(blockRowsDown(w.down().w(), blocks, d));
    this.ffnFold = new RotateAndSum(c.params(), blocks, d);
    this.ffnCopies = new RotateAndSum(c.params(), blocks, -d);
  }

  /** Levels the FFN needs: up projection, activation polynomial, down projection, the mask after folding. */
  static int levels(CompiledApproximations a) {
    return 1 + a.activation().depth() + 1 + 1;
  }

  @Override
  public String segment() {
    return "ffn";
  }

  @Override
  public int inputLevels() {
    return levels(c.approximations());
  }

  /**
   * The up projection as a row map over {@code d}-column blocks: output unit {@code i} (block
   * {@code m = i/d}) reads block {@code m} of an input copied into every block, so the map is
   * block-diagonal: {@code 2d-1} diagonals instead of {@code d + d_ff - 1}.
   */
  private static double[][] blockRowsUp(double[][] w, int blocks, int d) {
    double[][] m = new double[w.length][blocks * d];
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
  private static double[][] blockRowsDown(double[][] w, int blocks, int d) {
    int f = w[0].length;
    double[][] m = new double[blocks * d][f];
    for (int b = 0; b < blocks; b++) {
      for (int i = 0; i < d; i++) {
        for (int j = b * d; j < Math.min(f, (b + 1) * d); j++) {
          m[b * d + i][j] = w[i][j];
        }
      }
    }
    return m;
  }

  @Override
  public <C> List<C> apply(Pass<C> pass, List<C> hs) {
    Arithmetic<C> ar = pass.ar();
    int tiles = hs.size();
    List<C> u = new ArrayList<>();
    try (var s = pass.span(name, Component.PLAIN_MATMUL)) {
      List<C> copies = new ArrayList<>();
      for (C h : hs) {
        copies.add(ffnCopies.apply(ar, h));
      }
      // Landing on the activation's preferred scale depends on the level (encodings cached per
      // level), so tiles are transformed together level by level (they normally share one).
      Map<Integer, List<Integer>> byLevel = new TreeMap<>();
      for (int a = 0; a < tiles; a++) {
        byLevel.computeIfAbsent(ar.level(copies.get(a)), key -> new ArrayList<>()).add(a);
        u.add(null);
      }
      for (var e : byLevel.entrySet()) {
        LinearTransform up = upByLevel.computeIfAbsent(e.getKey(),
            lv -> upDefault.withTargetScale(c.approximations().activation().preferredInputScale(Math.max(lv - 1, 0))));
        List<C> in = new ArrayList<>();
        for (int a : e.getValue()) {
          in.add(copies.get(a));
        }
        List<C> out = up.applyToAll(ar, in);
        for (int i = 0; i < out.size(); i++) {
          int a = e.getValue().get(i);
          u.set(a, ar.addPlain(out.get(i), pass.rows(a).layer(layer).up()));
        }
      }
    }
    List<C> g = new ArrayList<>();
    try (var s = pass.span(name, Component.ACTIVATION)) {
      for (C x : u) {
        g.add(c.approximations().activation().apply(ar, x));
      }
    }
    try (var s = pass.span(name, Component.PLAIN_MATMUL)) {
      // Partial sums per block, folded into the first block; the mask clears the other blocks
      // (the residual stream must stay zero outside its d columns).
      List<C> partial = down.applyToAll(ar, g);
      List<C> out = new ArrayList<>();
      for (int a = 0; a < tiles; a++) {
        C folded = ffnFold.apply(ar, partial.get(a));
        out.add(ar.addPlain(CiphertextOps.maskTo(ar, folded, pass.rows(a).firstBlock(), c.streamScale()),
            pass.rows(a).layer(layer).down()));
      }
      return out;
    }
  }
}
