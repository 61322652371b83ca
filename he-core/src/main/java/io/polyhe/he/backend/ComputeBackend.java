package io.polyhe.he.backend;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;

/**
 * The hot loops of RNS arithmetic over batches of limbs. Limb {@code i} of every array argument is
 * reduced modulo {@code moduli[i]} (or transformed with {@code tables[i]}); only the first {@code
 * count} limbs are touched. Inputs are residues in {@code [0, q)} and outputs are too. Output
 * arrays may alias inputs unless a method says otherwise. Implementations must give results
 * bit-identical to {@link JavaBackend}.
 */
public interface ComputeBackend {

  /** Short stable name, e.g. {@code java} or {@code native}. */
  String name();

  /** Number of threads this backend may use for one call. */
  int threads();

  /** In-place forward negacyclic NTT of each limb (natural order in, bit-reversed out). */
  void forwardNtt(long[][] limbs, NttTables[] tables, int count);

  /** In-place inverse negacyclic NTT of each limb (bit-reversed in, natural order out). */
  void inverseNtt(long[][] limbs, NttTables[] tables, int count);

  /** {@code out = a + b}. */
  void add(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count);

  /** {@code out = a - b}. */
  void sub(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count);

  /** {@code out = -a}. */
  void negate(long[][] a, long[][] out, Modulus[] moduli, int count);

  /** Pointwise {@code out = a * b}. */
  void multiply(long[][] a, long[][] b, long[][] out, Modulus[] moduli, int count);

  /** Pointwise {@code acc += a * b}. */
  void multiplyAccumulate(long[][] a, long[][] b, long[][] acc, Modulus[] moduli, int count);

  /** {@code out = a * scalars[i]} in limb i, scalars already reduced mod {@code moduli[i]}. */
  void multiplyScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count);

  /** {@code out = a + scalars[i]} in every slot of limb i (scalars reduced). */
  void addScalar(long[][] a, long[] scalars, long[][] out, Modulus[] moduli, int count);

  /**
   * {@code acc += a * scalars[i]} per limb i, scalars reduced below their moduli (the inner loop of
   * a linear combination with constants). The default multiplies into a temporary and adds;
   * backends fuse it.
   */
  default void multiplyScalarAccumulate(long[][] a, long[] scalars, long[][] acc, Modulus[] moduli, int count) {
    long[][] tmp = new long[count][];
    for (int i = 0; i < count; i++) {
      tmp[i] = new long[a[i].length];
    }
    multiplyScalar(a, scalars, tmp, moduli, count);
    add(acc, tmp, acc, moduli, count);
  }

  /**
   * {@code out = Σ_t a[t]·b[t]} per limb ({@code a[t]}, {@code b[t]}: the limbs of term t): a
   * ciphertext-times-plaintext dot product. The default multiplies and accumulates term by term.
   */
  default void multiplySum(long[][][] a, long[][][] b, long[][] out, Modulus[] moduli, int count) {
    if (a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException(a.length + " left terms for " + b.length + " right terms");
    }
    multiply(a[0], b[0], out, moduli, count);
    for (int t = 1; t < a.length; t++) {
      multiplyAccumulate(a[t], b[t], out, moduli, count);
    }
  }

  /**
   * Whether {@link #multiplySumPermuted} reads its terms through the permutation (no temporaries),
   * so callers should hand it unpermuted terms rather than permute them first. False by default.
   */
  default boolean readsPermutedTerms() {
    return false;
  }

  /**
   * {@code out[i][j] = Σ_t a[t][i][permutation[j]]·b[t][i][j]} per limb: {@link #multiplySum} of
   * the {@code a} terms permuted by {@code permutation} (null: none), key switching's inner product
   * with the automorphism of its digits. The default permutes into temporaries; a backend may read
   * the terms through the permutation instead.
   */
  default void multiplySumPermuted(long[][][] a, int[] permutation, long[][][] b, long[][] out, Modulus[] moduli,
      int count) {
    if (permutation == null) {
      multiplySum(a, b, out, moduli, count);
      return;
    }
    long[][][] permuted = new long[a.length][][];
    for (int t = 0; t < a.length; t++) {
      permuted[t] = new long[count][count == 0 ? 0 : out[0].length];
      permute(a[t], permutation, permuted[t], count);
    }
    multiplySum(permuted, b, out, moduli, count);
  }

  /**
   * {@code out = a·b} per limb where {@code b} is a fixed operand with Shoup constants {@code
   * bShoup[i][j] = floor(b[i][j]·2^64/q_i)} (see {@link Modulus#shoup}): key-switching keys. The
   * default ignores the constants ({@link #multiply}).
   */
  default void multiplyShoup(long[][] a, long[][] b, long[][] bShoup, long[][] out, Modulus[] moduli, int count) {
    multiply(a, b, out, moduli, count);
  }

  /** {@code acc += a·b} per limb, {@code b} fixed with Shoup constants (see {@link #multiplyShoup}). */
  default void multiplyAccumulateShoup(long[][] a, long[][] b, long[][] bShoup, long[][] acc, Modulus[] moduli,
      int count) {
    multiplyAccumulate(a, b, acc, moduli, count);
  }

  /**
   * Whether {@link #multiplyShoup} and {@link #multiplyAccumulateShoup} beat their plain forms here,
   * so that keys are worth their Shoup constants (as much memory again). False by default.
   */
  default boolean usesShoupOperands() {
    return false;
  }

  /**
   * Automorphism in NTT form: {@code out[j] = in[permutation[j]]}. {@code out} must not alias
   * {@code in}.
   */
  void permute(long[][] in, int[] permutation, long[][] out, int count);

  /**
   * Automorphism {@code X -> X^galois} in coefficient form ({@code galois} odd, below 2N). {@code
   * out} must not alias {@code in}.
   */
  void automorphismCoefficients(long[][] in, int galois, long[][] out, Modulus[] moduli, int count);

  /**
   * Rescale step in NTT form: {@code out = (a - last) * inverse} per limb, where {@code last} holds
   * the dropped limb already converted to limb i's modulus and NTT form, and {@code inverses[i]} is
   * {@code q_last^-1 mod q_i}.
   */
  void subtractAndScale(
      long[][] a, long[][] last, long[] inverses, long[][] out, Modulus[] moduli, int count);

  /**
   * Centred fast base conversion of coefficient-form limbs (the ModUp/ModDown kernel). With {@code
   * D} the product of the {@code from} primes, {@code v_i = in[i]·hatInverse[i] mod q_i} taken in
   * the centred range {@code (-q_i/2, q_i/2]}, writes {@code out[k] = Σ_i v_i·hat[i][k] mod t_k},
   * where {@code hatInverse[i] = (D/q_i)^-1 mod q_i}, {@code hat[i][k] = (D/q_i) mod t_k} and
   * {@code dModTo[k] = D mod t_k} (used to subtract {@code q_i·(D/q_i) = D} for each negative
   * {@code v_i}). The result is {@code x + u·D} for the centred representative {@code x} of the
   * input and a small integer {@code |u| ≤ fromCount/2} of mean about zero, so that the rounding
   * error of key switching has no bias. Shoup constants come with each factor. {@code out} must
   * not alias {@code in}.
   */
  void convertBasis(
      long[][] in,
      Modulus[] from,
      long[] hatInverse,
      long[] hatInverseShoup,
      int fromCount,
      long[][] hat,
      long[][] hatShoup,
      long[] dModTo,
      long[][] out,
      Modulus[] to,
      int toCount);
}
