package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;

/** Shared checks and scale arithmetic of the circuits (package-private). */
final class Levels {
  private Levels() {}

  /** Throws an {@link IllegalArgumentException} that says how many levels {@code what} needs. */
  static void require(String what, int level, int needed) {
    if (level < needed) {
      throw new IllegalArgumentException(what + " needs " + needed + " level" + (needed == 1 ? "" : "s")
          + " but its input is at level " + level + "; refresh or bootstrap it first");
    }
  }

  static void checkParameters(CkksParameters expected, Arithmetic<?> arithmetic, String what) {
    if (!expected.equals(arithmetic.parameters())) {
      throw new IllegalArgumentException(what + " was built for other parameters than the arithmetic's");
    }
  }

  /**
   * {@code a} brought to {@code level} (strictly below its own) at exactly {@code scale}: one
   * product by the constant 1 at a computed scale, one rescale, then dropped primes. Used where a
   * value has levels to spare, so that later sums and products land on exact scales.
   */
  static <C> C toLevelAndScale(Arithmetic<C> ar, C a, int level, double scale) {
    int l = ar.level(a);
    if (level >= l) {
      throw new IllegalArgumentException("cannot move from level " + l + " to level " + level + " with a rescale");
    }
    C dropped = ar.dropToLevel(a, level + 1);
    double constantScale = scale * ar.q(level + 1) / ar.scale(a);
    return ar.rescale(ar.mulConstant(dropped, 1.0, constantScale));
  }

  /** {@code a·c} landing at {@code level} (strictly below a's) and exactly {@code scale}. */
  static <C> C mulConstantTo(Arithmetic<C> ar, C a, double c, int level, double scale) {
    int l = ar.level(a);
    if (level >= l) {
      throw new IllegalArgumentException("cannot move from level " + l + " to level " + level + " with a rescale");
    }
    C dropped = ar.dropToLevel(a, level + 1);
    double constantScale = scale * ar.q(level + 1) / ar.scale(a);
    return ar.rescale(ar.mulConstant(dropped, c, constantScale));
  }

  static int[] sortedDistinct(java.util.stream.IntStream s) {
    return s.distinct().sorted().toArray();
  }
}
