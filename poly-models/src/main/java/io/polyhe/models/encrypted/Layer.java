package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.CiphertextOps;
import io.polyhe.models.profile.Component;
import java.util.ArrayList;
import java.util.List;

/**
 * One transformer layer as the list of its residual blocks, grouped into stages that read one norm
 * of the stream:
 *
 * <ul>
 *   <li>{@link #sequential} (pre-norm, polyhe's decoder): a stage per block, so for each block in
 *       order the stream {@code x} becomes {@code x + block(norm(x))};
 *   <li>{@link #parallel} (GPT-NeoX's parallel residual {@code x + attention(LN1 x) + ffn(LN2 x)}):
 *       one stage. The two norms differ only in their weight and bias, which are folded into each
 *       branch's first projection ({@link FoldedWeights}), so one norm of {@code x} feeds both
 *       branches; it is refreshed to the larger of their {@link ResidualBlock#inputLevels()}, so the
 *       branches share one level budget and the layer costs the deeper branch, not the sum. Both
 *       outputs land on the stream scale and are added to {@code x} (aligned to the lowest level).
 * </ul>
 *
 * A stage's norm is refreshed to the levels its blocks need. A new block type is one class and one
 * line in the factory of its layer.
 *
 * <p>Immutable; thread-safe.
 */
final class Layer {

  /** Blocks reading one norm of the stream, and that norm. */
  private record Stage(NormBlock norm, List<ResidualBlock> blocks) {}

  private final String name;
  private final List<Stage> stages;

  private Layer(String name, NormBlock norm, List<List<ResidualBlock>> stages) {
    this.name = name;
    this.stages = stages.stream()
        .map(blocks -> new Stage(norm.feeding(name,
            String.join(" + ", blocks.stream().map(ResidualBlock::segment).toList()),
            blocks.stream().mapToInt(ResidualBlock::inputLevels).max().orElseThrow()), List.copyOf(blocks)))
        .toList();
  }

  /** Layer {@code index} of {@code folded}, sequential residuals: attention, then the FFN. */
  static Layer sequential(BlockContext c, NormBlock norm, int index, FoldedWeights folded) {
    return new Layer("layer " + index, norm, List.of(
        List.of(new AttentionBlock(c, folded, index)),
        List.of(new FeedForwardBlock(c, index, folded.layers().get(index)))));
  }

  /** Layer {@code index} of {@code folded}, parallel residual: attention and the FFN on one norm. */
  static Layer parallel(BlockContext c, NormBlock norm, int index, FoldedWeights folded) {
    return new Layer("layer " + index, norm, List.of(
        List.of(new AttentionBlock(c, folded, index), new FeedForwardBlock(c, index, folded.layers().get(index)))));
  }

  /** Runs the layer on the stream {@code x} (one ciphertext per tile), replacing its elements. */
  <C> void apply(Pass<C> pass, List<C> x) {
    for (Stage stage : stages) {
      List<C> h = stage.norm().apply(pass, x);
      List<List<C>> deltas = new ArrayList<>();
      for (ResidualBlock block : stage.blocks()) {
        deltas.add(block.apply(pass, new ArrayList<>(h))); // a block may replace its inputs' elements
      }
      try (var s = pass.span(name, Component.RESIDUAL)) {
        for (List<C> delta : deltas) {
          for (int a = 0; a < x.size(); a++) {
            x.set(a, CiphertextOps.addAligned(pass.ar(), x.get(a), delta.get(a)));
          }
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
    for (Stage stage : stages) {
      for (ResidualBlock b : stage.blocks()) {
        if (type.isInstance(b)) {
          return type.cast(b);
        }
      }
    }
    throw new IllegalArgumentException(name + " has no " + type.getSimpleName());
  }
}
