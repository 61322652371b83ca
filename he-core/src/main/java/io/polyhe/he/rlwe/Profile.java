package io.polyhe.he.rlwe;

/**
 * The conventions a context follows where two CKKS engines may differ while computing the same
 * thing: which generator numbers the slots and rotations, and how key switching is split.
 *
 * <ul>
 *   <li>{@link #POLYHE}, the default: slots and left rotations follow powers of 5 modulo 2N; any
 *       number of special primes, digits of one or more ciphertext primes (hybrid key switching).
 *   <li>{@link #SEAL}: Microsoft SEAL 4.x's conventions, so that SEAL's keys and ciphertexts mean
 *       the same here: powers of 3 modulo 2N, exactly one special prime (the last prime of SEAL's
 *       coefficient modulus) and one ciphertext prime per key-switching digit. With these, polyhe's
 *       key-switching key for digit j, {@code -a_j·s + e_j + P·g_j·s'} with {@code g_j ≡ 1 (mod
 *       q_j)} and {@code ≡ 0} modulo the other ciphertext primes, is exactly SEAL's key for
 *       decomposition index j (see docs/decisions.md, issue 19).
 * </ul>
 *
 * Both use the same negacyclic NTT (smallest primitive 2N-th root, bit-reversed evaluation order),
 * so NTT-form data is identical under either profile.
 */
public enum Profile {
  POLYHE(5),
  SEAL(3);

  private final int galoisGenerator;

  Profile(int galoisGenerator) {
    this.galoisGenerator = galoisGenerator;
  }

  /**
   * The generator g of the slot group: slot j is the evaluation at {@code ζ^(g^j)}, {@code ζ =
   * exp(iπ/N)}, and a left rotation by k slots is the automorphism {@code X -> X^(g^k mod 2N)}.
   */
  public int galoisGenerator() {
    return galoisGenerator;
  }
}
