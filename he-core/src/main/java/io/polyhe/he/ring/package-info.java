/**
 * RNS polynomials of {@code Z_Q[X]/(X^N+1)}: bases of primes ({@link io.polyhe.he.ring.RnsBasis}),
 * limb-wise polynomials ({@link io.polyhe.he.ring.RnsPoly}), the ring operations that run them on a
 * compute backend ({@link io.polyhe.he.ring.RnsRing}: NTT, arithmetic, automorphisms, exact
 * rounding division by the last prime), and seeded randomness ({@link io.polyhe.he.ring.Xof},
 * {@link io.polyhe.he.ring.Sampler}).
 */
package io.polyhe.he.ring;
