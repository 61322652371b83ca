/**
 * CKKS on top of {@code rlwe}: parameters with a default scale and named secure presets ({@link
 * io.polyhe.he.ckks.CkksPreset}), the context every CKKS component is built from, the canonical
 * embedding encoder (N/2 complex slots, rotation by k = automorphism 5^k) and the evaluator.
 */
package io.polyhe.he.ckks;
