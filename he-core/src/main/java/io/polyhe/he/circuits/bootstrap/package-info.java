/**
 * Non-interactive CKKS bootstrapping: a ciphertext that ran out of levels becomes a fresh one
 * without the secret key.
 *
 * <ul>
 *   <li>{@link io.polyhe.he.rlwe.ModRaise} (in {@code rlwe}) lifts a level-0 ciphertext to the top
 *       level; it then decrypts to {@code m + q_0·I}.
 *   <li>{@link io.polyhe.he.circuits.bootstrap.DftFactors}: the decoding FFT and its inverse as
 *       butterfly stages ({@link io.polyhe.he.circuits.bootstrap.SlotMatrix}, three diagonals each),
 *       merged into a configurable number of factors (levels); {@link
 *       io.polyhe.he.circuits.bootstrap.SlotTransform} evaluates one factor with BSGS and hoisted
 *       rotations.
 *   <li>{@link io.polyhe.he.circuits.bootstrap.EvalMod}: scaled cosine, double-angle steps, optional
 *       arcsine: removes {@code I}.
 *   <li>{@link io.polyhe.he.circuits.bootstrap.Bootstrapper} puts them together (CoeffsToSlots,
 *       EvalMod, SlotsToCoeffs; SubSum first for sparse slots) as a {@link
 *       io.polyhe.he.circuits.Refresher}, and declares its Galois elements; {@link
 *       io.polyhe.he.circuits.bootstrap.BootstrapPreset} names the parameter sets.
 * </ul>
 *
 * Decisions and measured precision: {@code docs/bootstrapping.md}.
 */
package io.polyhe.he.circuits.bootstrap;
