package io.polyhe.he.circuits;

import io.polyhe.he.rlwe.Ciphertext;

/**
 * A circuit with one ciphertext in and one out. {@link #apply} is the circuit; {@link #evaluate}
 * and {@link #simulate} are its real and dry runs.
 */
public interface UnaryCircuit extends Circuit {

  /**
   * Runs the circuit on {@code input} with {@code arithmetic}.
   *
   * @throws IllegalArgumentException if the input has too few levels (the message says how many are
   *     needed), belongs to other parameters, or has the wrong shape
   * @throws IllegalStateException if a needed key is missing
   */
  <C> C apply(Arithmetic<C> arithmetic, C input);

  /** Runs on a real ciphertext. */
  default Ciphertext evaluate(CiphertextArithmetic arithmetic, Ciphertext input) {
    return apply(arithmetic, input);
  }

  /** Dry run: the level, scale and size the output would have. */
  default SimulatedCiphertext simulate(DepthSimulator simulator, SimulatedCiphertext input) {
    return apply(simulator, input);
  }
}
