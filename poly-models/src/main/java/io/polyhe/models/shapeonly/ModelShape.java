package io.polyhe.models.shapeonly;

/**
 * The sizes of a shape-only model. Defaults ({@link #PYTHIA_70M}) are Pythia-70M's.
 *
 * @param layers blocks
 * @param dModel hidden size, divisible by {@code heads}
 * @param heads attention heads
 * @param dFf FFN width
 * @param context tokens
 * @param vocab token ids
 */
public record ModelShape(int layers, int dModel, int heads, int dFf, int context, int vocab) {

  /** Pythia-70M: 6 layers, d 512, 8 heads, d_ff 2048, 128 tokens, 50304 token ids. */
  public static final ModelShape PYTHIA_70M = new ModelShape(6, 512, 8, 2048, 128, 50304);

  /** @throws IllegalArgumentException if a size is not positive or dModel % heads != 0 */
  public ModelShape {
    if (layers <= 0 || dModel <= 0 || heads <= 0 || dFf <= 0 || context <= 0 || vocab <= 0) {
      throw new IllegalArgumentException("all sizes must be positive: " + this);
    }
    if (dModel % heads != 0) {
      throw new IllegalArgumentException("d_model " + dModel + " is not divisible by " + heads + " heads");
    }
  }

  /** Number of parameters. */
  public long parameters() {
    long d = dModel;
    long perLayer = 4 * (d * d + d) + 2 * d * dFf + dFf + d + 4 * d;
    return layers * perLayer + 2L * vocab * d + (long) context * d + 2 * d;
  }
}
