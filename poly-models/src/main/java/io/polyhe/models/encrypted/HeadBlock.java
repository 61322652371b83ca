package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.CiphertextOps;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.models.profile.Component;
import java.util.ArrayList;
import java.util.List;

/**
 * The final norm and the LM head: logits of row t at slots {@code [t·S, t·S + vocab)}. When the
 * vocabulary fits the first {@code d} columns, {@code W·(x·r) + b = (W·x)·r + b} for the norm's
 * per-row factor {@code r}, which covers the row's first {@code d} columns: the LM head runs beside
 * the norm's polynomial and needs no level of its own. Otherwise the normed stream is refreshed to
 * one level if it has none left, then projected.
 *
 * <p>Immutable apart from encoding caches (concurrent); thread-safe.
 */
final class HeadBlock implements Block {
  private static final String NAME = "head";

  private final BlockContext c;
  private final NormBlock norm;
  private final LinearTransform lmHead;
  private final boolean afterFactor;

  /** The head with the model's {@code norm} and its folded LM head {@code lmHead}. */
  HeadBlock(BlockContext c, NormBlock norm, FoldedWeights.Affine lmHead) {
    this.c = c;
    this.norm = norm;
    this.lmHead = c.linear(lmHead.w());
    this.afterFactor = c.config().vocabSize() <= c.d();
  }

  /** The logits of the stream {@code xs}, one ciphertext per tile. */
  @Override
  public <C> List<C> apply(Pass<C> pass, List<C> xs) {
    Arithmetic<C> ar = pass.ar();
    int tiles = xs.size();
    List<C> x = new ArrayList<>();
    for (int a = 0; a < tiles; a++) {
      try (var s = pass.span(NAME, Component.REFRESH)) {
        x.add(norm.refreshStream(pass, xs.get(a), pass.where(NAME, a) + " / final norm"));
      }
    }
    List<C> logits = new ArrayList<>();
    if (afterFactor) {
      List<C> r = new ArrayList<>();
      List<C> wx;
      try (var s = pass.span(NAME, Component.NORM)) {
        for (int a = 0; a < tiles; a++) {
          r.add(norm.factor(ar, x.get(a), pass.rows(a)));
        }
      }
      try (var s = pass.span(NAME, Component.PLAIN_MATMUL)) {
        wx = lmHead.applyToAll(ar, x);
      }
      try (var s = pass.span(NAME, Component.NORM)) {
        for (int a = 0; a < tiles; a++) {
          logits.add(ar.addPlain(CiphertextOps.multiply(ar, wx.get(a), r.get(a)), pass.rows(a).lmBias()));
        }
      }
      return logits;
    }
    List<C> y = new ArrayList<>();
    for (int a = 0; a < tiles; a++) {
      C ya;
      try (var s = pass.span(NAME, Component.NORM)) {
        ya = norm.norm(ar, x.get(a), pass.rows(a));
      }
      try (var s = pass.span(NAME, Component.REFRESH)) {
        y.add(pass.ensure(ya, 1, 1, c.defaultScale(), pass.where(NAME, a) + " / lm head"));
      }
    }
    try (var s = pass.span(NAME, Component.PLAIN_MATMUL)) {
      List<C> out = lmHead.applyToAll(ar, y);
      for (int a = 0; a < tiles; a++) {
        logits.add(ar.addPlain(out.get(a), pass.rows(a).lmBias()));
      }
      return logits;
    }
  }

  /** The logits of the already normed final stream {@code y} of one ciphertext (the head without its norm). */
  <C> C projectNormed(Arithmetic<C> ar, C y, RowPlaintexts rows) {
    return ar.addPlain(lmHead.apply(ar, y), rows.lmBias());
  }
}
