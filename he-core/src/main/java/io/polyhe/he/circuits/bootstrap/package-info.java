/**
 * Non-interactive CKKS bootstrapping: a ciphertext that ran out of levels becomes a fresh one
 * without the secret key.
 *
 * <ul>
 *   <li>{@link io.polyhe.he.rlwe.ModRaise} (in {@code rlwe}) lifts a level-0 ciphertext to the top
 *       level; it then decrypts to {@code m + q_0·I}.
 *   <li>{@link io.polyhe.he.circuits.bootstrap.DftFactors}: the decoding FFT and its inverse as
 *       butterfly stages ({@link io.polyhe.he.circuits.bootstrap.SlotMatrix}, three diagonals each),
 *       merged into a configurable number of factors (levels); each factor is evaluated as a {@link
 *       io.polyhe.he.circuits.LinearTransform} of complex diagonals (BSGS, hoisted rotations).
 *   <li>{@link io.polyhe.he.circuits.bootstrap.EvalMod}: scaled cosine, double-angle steps, optional
 *       arcsine: removes {@code I}.
 *   <li>{@link io.polyhe.he.circuits.bootstrap.Bootstrapper} puts them together (CoeffsToSlots,
 *       EvalMod, SlotsToCoeffs; SubSum first for sparse slots) as a {@link
 *       io.polyhe.he.circuits.Refresher}, written over {@link io.polyhe.he.circuits.Arithmetic}: its
 *       output level and Galois elements come from a dry run on a {@link
 *       io.polyhe.he.circuits.DepthSimulator}.
 *   <li>{@link io.polyhe.he.circuits.bootstrap.BootstrapParameters} (the circuit's shape, named
 *       fields with defaults), {@link io.polyhe.he.circuits.bootstrap.BootstrapChain} (the one place
 *       a bootstrapping modulus chain is laid out) and {@link
 *       io.polyhe.he.circuits.bootstrap.BootstrapPreset} (named parameter sets).
 * </ul>
 *
 * Decisions and measured precision: {@code docs/bootstrapping.md}.
 */
package io.polyhe.he.circuits.bootstrap;
