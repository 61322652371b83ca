package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextOps;
import io.polyhe.he.circuits.RotateAndSum;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.models.profile.Component;
import java.util.ArrayList;
import java.util.List;

/**
 * The norm of the residual stream: {@code z = x·p(Σ_row x²)} (weight and bias folded into the next
 * linear layer, see {@link FoldedWeights}), where {@code p} is the model's inverse-square-root
 * polynomial re-expressed on the row sum ({@link CompiledApproximations#norm()}). The sum is taken
 * over a window of {@code 2d} slots around every column (one rotate-and-sum, no mask: the gap
 * between rows is zero), so it arrives at every column of its row; slots outside the rows get the
 * norm offset added, so the polynomial stays bounded there.
 *
 * <p>As a {@link Block} it feeds one segment ({@link #feeding}): for each tile, the stream is
 * refreshed to the top at the stream scale if the norm would run short, normed, and the result
 * refreshed if the segment would run short. Immutable; thread-safe.
 */
final class NormBlock implements Block {

  /** The segment a norm feeds: its layer's span name, its name in refresh points, its levels. */
  private record Target(String name, String segment, int levels) {}

  private final BlockContext c;
  private final RotateAndSum windowSum;
  private final Target target; // null: the norm's arithmetic only

  /** The norm of {@code c}'s model, feeding no segment yet. */
  NormBlock(BlockContext c) {
    this(c, new RotateAndSum(c.params(), 2 * c.d(), 1), null);
  }

  private NormBlock(BlockContext c, RotateAndSum windowSum, Target target) {
    this.c = c;
    this.windowSum = windowSum;
    this.target = target;
  }

  /**
   * This norm feeding {@code segment} of layer {@code name}, which needs {@code levels} levels from
   * its input at the default scale.
   */
  NormBlock feeding(String name, String segment, int levels) {
    return new NormBlock(c, windowSum, new Target(name, segment, levels));
  }

  /**
   * Levels the norm needs for an input at {@code level} and {@code scale}: square, the polynomial
   * (one level more unless the square lands on its preferred scale, as the stream scale makes it
   * at the top level), product. Below level 1: what a fresh top-level value needs.
   */
  static int levels(CompiledApproximations a, CkksParameters params, int level, double scale) {
    if (level < 1) {
      return 1 + a.norm().depth() + 1; // refreshed anyway: what a fresh top-level value needs
    }
    return 1 + a.norm().depth(level - 1, scale * scale / params.rlwe().q(level)) + 1;
  }

  /**
   * The normed stream {@code x}, one ciphertext per tile; the tiles of {@code x} that the norm
   * would run short on are replaced by refreshed copies.
   *
   * @throws IllegalStateException if this norm feeds no segment
   */
  @Override
  public <C> List<C> apply(Pass<C> pass, List<C> x) {
    if (target == null) {
      throw new IllegalStateException("this norm feeds no segment; use feeding(...)");
    }
    List<C> h = new ArrayList<>();
    for (int a = 0; a < x.size(); a++) {
      String where = pass.where(target.name(), a);
      C xa;
      try (var s = pass.span(target.name(), Component.REFRESH)) {
        xa = refreshStream(pass, x.get(a), where + " / " + target.segment() + " norm");
        x.set(a, xa);
      }
      C ha;
      try (var s = pass.span(target.name(), Component.NORM)) {
        ha = norm(pass.ar(), xa, pass.rows(a));
      }
      try (var s = pass.span(target.name(), Component.REFRESH)) {
        h.add(pass.ensure(ha, target.levels(), target.levels(), c.defaultScale(), where + " / " + target.segment()));
      }
    }
    return h;
  }

  /** {@code x}, refreshed to the top level at the stream scale if the norm would run short. */
  <C> C refreshStream(Pass<C> pass, C x, String where) {
    Arithmetic<C> ar = pass.ar();
    return pass.ensure(x, levels(c.approximations(), c.params(), ar.level(x), ar.scale(x)), c.topLevel(),
        c.streamScale(), where);
  }

  /** The norm of the rows of {@code x}: {@code x·invsqrt(mean x² + eps)}. */
  <C> C norm(Arithmetic<C> ar, C x, RowPlaintexts rows) {
    return CiphertextOps.multiply(ar, x, factor(ar, x, rows));
  }

  /** {@code invsqrt(mean x² + eps)} of each row, at every one of the row's first {@code d} columns. */
  <C> C factor(Arithmetic<C> ar, C x, RowPlaintexts rows) {
    C sq = ar.rescale(ar.mulRelin(x, x));
    C u = ar.rotate(windowSum.apply(ar, sq), -(c.d() - 1));
    return c.approximations().norm().apply(ar, ar.addPlain(u, rows.normOffset()));
  }
}
