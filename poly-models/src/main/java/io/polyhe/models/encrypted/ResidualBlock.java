package io.polyhe.models.encrypted;

/**
 * A block whose output a {@link Layer} adds to the residual stream, reading the stream's norm.
 * The norm before it refreshes that input to {@link #inputLevels()} if it has fewer.
 */
interface ResidualBlock extends Block {

  /** The segment's name in refresh points, e.g. {@code "attention"}. */
  String segment();

  /** Levels the block needs from its input at the default scale. */
  int inputLevels();
}
