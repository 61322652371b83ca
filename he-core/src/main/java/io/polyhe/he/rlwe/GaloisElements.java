package io.polyhe.he.rlwe;

import java.util.Arrays;

/**
 * Galois elements of the slot permutations: rotation left by {@code k} slots is {@code X -> X^(5^k
 * mod 2N)}, conjugation is {@code X -> X^(2N-1)}. Rotations are taken modulo the N/2 slots, so a
 * right rotation by {@code k} is a left rotation by {@code N/2 - k}.
 */
public final class GaloisElements {
  private GaloisElements() {}

  /** The element of a left rotation by {@code step} slots (negative = right), for ring degree n. */
  public static int forRotation(int step, int n) {
    int slots = n / 2;
    int k = Math.floorMod(step, slots);
    long twoN = 2L * n;
    long g = 1;
    long base = 5;
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
    return Arrays.stream(steps)
        .filter(s -> Math.floorMod(s, n / 2) != 0)
        .map(s -> forRotation(s, n))
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
