package io.polyhe.he.rlwe;

import java.util.Arrays;

/**
 * Galois elements of the slot permutations: rotation left by {@code k} slots is {@code X -> X^(g^k
 * mod 2N)} with the profile's generator g (5 for polyhe's own profile, 3 for SEAL's, see {@link
 * Profile}), conjugation is {@code X -> X^(2N-1)}. Rotations are taken modulo the N/2 slots, so a
 * right rotation by {@code k} is a left rotation by {@code N/2 - k}. The overloads without
 * parameters or generator use polyhe's generator 5.
 */
public final class GaloisElements {
  private GaloisElements() {}

  /** The element of a left rotation by {@code step} slots (negative = right), for ring degree n. */
  public static int forRotation(int step, int n) {
    return forRotation(step, n, Profile.POLYHE.galoisGenerator());
  }

  /** The element of a left rotation by {@code step} slots under the profile of {@code params}. */
  public static int forRotation(int step, RlweParameters params) {
    return forRotation(step, params.n(), params.galoisGenerator());
  }

  /** The element of a left rotation by {@code step} slots with slot generator {@code generator}. */
  public static int forRotation(int step, int n, int generator) {
    int slots = n / 2;
    int k = Math.floorMod(step, slots);
    long twoN = 2L * n;
    long g = 1;
    long base = generator;
    int e = k;
    while (e != 0) {
      if ((e & 1) != 0) {
        g = g * base % twoN;
      }
      base = base * base % twoN;
      e >>>= 1;
    }
    return (int) g;
  }

  /** The element of complex conjugation of all slots. */
  public static int conjugation(int n) {
    return 2 * n - 1;
  }

  /** Distinct, sorted elements for the given rotation steps (step 0 needs none). */
  public static int[] forRotations(int[] steps, int n) {
    return forRotations(steps, n, Profile.POLYHE.galoisGenerator());
  }

  /** Distinct, sorted elements for the given rotation steps under the profile of {@code params}. */
  public static int[] forRotations(int[] steps, RlweParameters params) {
    return forRotations(steps, params.n(), params.galoisGenerator());
  }

  /** Distinct, sorted elements for the given steps with slot generator {@code generator}. */
  public static int[] forRotations(int[] steps, int n, int generator) {
    return Arrays.stream(steps)
        .filter(s -> Math.floorMod(s, n / 2) != 0)
        .map(s -> forRotation(s, n, generator))
        .distinct()
        .sorted()
        .toArray();
  }

  /** Throws {@link IllegalArgumentException} unless {@code g} is odd and in {@code [1, 2n)}. */
  public static void check(int g, int n) {
    if ((g & 1) == 0 || g <= 0 || g >= 2 * n) {
      throw new IllegalArgumentException("Galois element must be odd and in [1, 2N), got " + g);
    }
  }
}
