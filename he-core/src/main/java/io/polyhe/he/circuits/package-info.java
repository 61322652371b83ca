/**
 * Homomorphic circuits on CKKS ciphertexts — the building blocks of the encrypted transformer —
 * and their dry run.
 *
 * <h2>One circuit, two runs</h2>
 *
 * Every circuit is a generic method over an {@link io.polyhe.he.circuits.Arithmetic}: {@link
 * io.polyhe.he.circuits.CiphertextArithmetic} runs it on ciphertexts (with an {@link
 * io.polyhe.he.ckks.Evaluator}), {@link io.polyhe.he.circuits.DepthSimulator} runs it on {@link
 * io.polyhe.he.circuits.SimulatedCiphertext}s (level, scale, size) and counts operations and Galois
 * elements. Both perform the same scale arithmetic, so a planner learns exactly where levels go
 * without keys or ciphertexts; the tests check simulated = real for every circuit.
 *
 * <h2>Circuits ({@link io.polyhe.he.circuits.Circuit}: depth, Galois elements, relinearisation)</h2>
 *
 * <ul>
 *   <li>{@link io.polyhe.he.circuits.ChebyshevApproximation} fits functions; {@link
 *       io.polyhe.he.circuits.PolynomialEvaluator} evaluates Chebyshev-basis polynomials by
 *       baby-step/giant-step at depth {@code ceil(log2(d+1))}.
 *   <li>{@link io.polyhe.he.circuits.LinearTransform}: plaintext {@link
 *       io.polyhe.he.circuits.BlockMatrix} ({@code I_T ⊗ W}, rectangular, bias) times an encrypted
 *       vector, diagonals ({@link io.polyhe.he.circuits.DiagonalEncoder}) with BSGS and hoisted
 *       rotations; or any slot map given by its complex diagonals (bootstrapping's DFT factors);
 *       encodings cached per level in {@link io.polyhe.he.circuits.PlainVector}s (real or complex).
 *   <li>Ciphertext–ciphertext: {@link io.polyhe.he.circuits.RotateAndSum} (row and column sums,
 *       broadcast, replication), {@link io.polyhe.he.circuits.Mask}, {@link
 *       io.polyhe.he.circuits.ColumnBroadcast}, {@link io.polyhe.he.circuits.DiagonalScores}
 *       ({@code QKᵀ}) and {@link io.polyhe.he.circuits.DiagonalProduct} ({@code A·V}) over a
 *       {@link io.polyhe.he.circuits.MatrixLayout} (T rows × d, heads side by side).
 *   <li>{@link io.polyhe.he.circuits.InverseCircuit} and {@link
 *       io.polyhe.he.circuits.InverseSqrtCircuit} on stated ranges, with planned depth and
 *       documented error tables.
 *   <li>{@link io.polyhe.he.circuits.CiphertextOps}: small generic steps circuits repeat (a
 *       product at the lower level, a mask landing on a scale, an aligned add, sums, powers by
 *       squaring).
 *   <li>{@link io.polyhe.he.circuits.Refresher}: client-aided refresh or non-interactive
 *       bootstrapping (sub-package {@code bootstrap}).
 * </ul>
 *
 * <h2>Conventions</h2>
 *
 * Outputs land on a requested scale exactly (default: the parameters' default scale) wherever the
 * circuit multiplies by a plaintext or a constant; a ciphertext product whose scale cannot be
 * chosen says so. Inputs with too few levels fail with an {@link IllegalArgumentException} that
 * says how many levels are needed; missing keys fail with {@link IllegalStateException}. Circuits
 * are immutable and thread-safe (encoding caches are concurrent); simulators are single-use. Sums
 * of many terms go through an {@link io.polyhe.he.circuits.Accumulator} ({@link
 * io.polyhe.he.circuits.Arithmetic#accumulator()}): bit for bit the repeated additions, but over
 * real ciphertexts added in place into one buffer the accumulator owns. {@link
 * io.polyhe.he.circuits.Arithmetic#reinterpretScale} relabels a value's scale without computing,
 * which changes the value by the ratio of the scales.
 */
package io.polyhe.he.circuits;
