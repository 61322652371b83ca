package io.polyhe.he.circuits;

/**
 * A homomorphic circuit that knows its cost in levels and the keys it needs, so a model can plan
 * levels and tell the client exactly which Galois keys to generate.
 *
 * <p>Implementations are immutable after construction (apart from caches of encoded plaintexts)
 * and thread-safe.
 */
public interface Circuit {

  /**
   * Levels the circuit consumes on its minimal path: an input at level {@code l} comes out at level
   * {@code l - depth()}. Circuits whose cost depends on the input's scale say so and offer {@code
   * depth(level, scale)}; a {@link DepthSimulator} run always tells the truth.
   */
  int depth();

  /** Galois elements of the rotations the circuit performs: sorted, distinct, possibly empty. */
  int[] galoisElements();

  /** True if the circuit multiplies ciphertexts and so needs the relinearisation key. */
  boolean needsRelinearizationKey();
}
