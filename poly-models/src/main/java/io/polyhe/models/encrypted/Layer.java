package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.CiphertextOps;
import io.polyhe.models.profile.Component;
import java.util.List;

/**
 * One transformer layer as the list of its residual blocks: pre-norm, sequential residuals, so for
 * each block in order the stream {@code x} becomes {@code x + block(norm(x))}, its norm refreshed
 * to the levels that block needs ({@link ResidualBlock#inputLevels()}). A new block type is one
 * class and one line in {@link #sequential}.
 *
 * <p>A parallel-residual layer (GPT-NeoX: {@code x + attention(n(x)) + ffn(n(x))}, the two norms'
 * weights folded into each branch's first projection) would norm once, feeding the largest of its
 * blocks' {@code inputLevels()} so that the branches share one level budget, apply every block to
 * that one input, and add each output: another {@link #apply} over the same blocks.
 *
 * <p>Immutable; thread-safe.
 */
final class Layer {

  /** A residual block and the norm that feeds it. */
  private record Step(NormBlock norm, ResidualBlock block) {}

  private final String name;
  private final List<Step> steps;

  private Layer(String name, NormBlock norm, List<ResidualBlock> blocks) {
    this.name = name;
    this.steps = blocks.stream()
        .map(b -> new Step(norm.feeding(name, b.segment(), b.inputLevels()), b))
        .toList();
  }

  /** Layer {@code index} of a pre-norm model with its folded weights {@code w}: attention, then the FFN. */
  static Layer sequential(BlockContext c, NormBlock norm, int index, FoldedWeights.Layer w) {
    return new Layer("layer " + index, norm, List.of(
        new AttentionBlock(c, index, w),
        new FeedForwardBlock(c, index, w)));
  }

  /** Runs the layer on the stream {@code x} (one ciphertext per tile), replacing its elements. */
  <C> void apply(Pass<C> pass, List<C> x) {
    for (Step step : steps) {
      List<C> h = step.norm().apply(pass, x);
      List<C> delta = step.block().apply(pass, h);
      try (var s = pass.span(name, Component.RESIDUAL)) {
        for (int a = 0; a < x.size(); a++) {
          x.set(a, CiphertextOps.addAligned(pass.ar(), x.get(a), delta.get(a)));
        }
      }
    }
  }

  /**
   * This layer's block of {@code type}.
   *
   * @throws IllegalArgumentException if it has none
   */
  <T extends ResidualBlock> T block(Class<T> type) {
    for (Step step : steps) {
      if (type.isInstance(step.block())) {
        return type.cast(step.block());
      }
    }
    throw new IllegalArgumentException(name + " has no " + type.getSimpleName());
  }
}
