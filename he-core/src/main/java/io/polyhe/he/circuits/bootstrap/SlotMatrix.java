package io.polyhe.he.circuits.bootstrap;

import java.util.Map;
import java.util.TreeMap;

/**
 * A complex {@code n × n} matrix held by its non-zero cyclic diagonals: {@code (M·v)[i] = Σ_k
 * d_k[i]·v[(i+k) mod n]}. The form in which homomorphic DFT factors are built, multiplied (in the
 * clear) and evaluated (BSGS over the diagonals). Immutable.
 */
public final class SlotMatrix {
  private final int n;
  /** Offset in [0, n) -> {re[], im[]} of length n. */
  private final TreeMap<Integer, double[][]> diagonals;

  SlotMatrix(int n, Map<Integer, double[][]> diagonals) {
    this.n = n;
    this.diagonals = new TreeMap<>();
    for (Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      double[][] d = e.getValue();
      if (d[0].length != n || d[1].length != n) {
        throw new IllegalArgumentException("diagonal of length " + d[0].length + " for n = " + n);
      }
      this.diagonals.put(Math.floorMod(e.getKey(), n), new double[][] {d[0].clone(), d[1].clone()});
    }
  }

  /** Dimension. */
  public int n() {
    return n;
  }

  /** Offsets of the non-zero diagonals, ascending in [0, n). */
  public int[] offsets() {
    return diagonals.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  /** A copy of diagonal {@code k} as {re, im}, zeros when absent. */
  public double[][] diagonal(int k) {
    double[][] d = diagonals.get(Math.floorMod(k, n));
    return d == null ? new double[][] {new double[n], new double[n]}
        : new double[][] {d[0].clone(), d[1].clone()};
  }

  /**
   * The diagonals over {@code slots} slots (a multiple of n) for an input that repeats with period
   * n: each tiled across the slots, at its offset centred in {@code (-n/2, n/2]} (the rotation that
   * applies it). The form {@link io.polyhe.he.circuits.LinearTransform#ofDiagonals} takes.
   *
   * @throws IllegalArgumentException if n does not divide {@code slots}
   */
  public Map<Integer, double[][]> tiledDiagonals(int slots) {
    if (slots % n != 0) {
      throw new IllegalArgumentException(n + " does not divide the " + slots + " slots");
    }
    Map<Integer, double[][]> out = new TreeMap<>();
    for (Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      int k = e.getKey();
      double[][] d = e.getValue();
      double[] re = new double[slots];
      double[] im = new double[slots];
      for (int s = 0; s < slots; s++) {
        re[s] = d[0][s % n];
        im[s] = d[1][s % n];
      }
      out.put(k > n / 2 ? k - n : k, new double[][] {re, im});
    }
    return out;
  }

  /** {@code this · other} (other applied first). */
  public SlotMatrix times(SlotMatrix other) {
    if (other.n != n) {
      throw new IllegalArgumentException("dimensions differ: " + n + " vs " + other.n);
    }
    TreeMap<Integer, double[][]> out = new TreeMap<>();
    for (Map.Entry<Integer, double[][]> a : diagonals.entrySet()) {
      int k = a.getKey();
      double[] ar = a.getValue()[0];
      double[] ai = a.getValue()[1];
      for (Map.Entry<Integer, double[][]> b : other.diagonals.entrySet()) {
        int l = b.getKey();
        double[] br = b.getValue()[0];
        double[] bi = b.getValue()[1];
        double[][] d = out.computeIfAbsent((k + l) % n, x -> new double[][] {new double[n], new double[n]});
        for (int i = 0; i < n; i++) {
          int j = (i + k) % n;
          d[0][i] += ar[i] * br[j] - ai[i] * bi[j];
          d[1][i] += ar[i] * bi[j] + ai[i] * br[j];
        }
      }
    }
    return new SlotMatrix(n, out);
  }

  /** {@code c·this} for a real constant. */
  public SlotMatrix scaled(double c) {
    TreeMap<Integer, double[][]> out = new TreeMap<>();
    for (Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      double[] r = e.getValue()[0].clone();
      double[] im = e.getValue()[1].clone();
      for (int i = 0; i < n; i++) {
        r[i] *= c;
        im[i] *= c;
      }
      out.put(e.getKey(), new double[][] {r, im});
    }
    return new SlotMatrix(n, out);
  }

  /** {@code M·v} for a complex vector {re, im} of length n (the plain reference). */
  public double[][] apply(double[] re, double[] im) {
    double[] outRe = new double[n];
    double[] outIm = new double[n];
    for (Map.Entry<Integer, double[][]> e : diagonals.entrySet()) {
      int k = e.getKey();
      double[] dr = e.getValue()[0];
      double[] di = e.getValue()[1];
      for (int i = 0; i < n; i++) {
        int j = (i + k) % n;
        outRe[i] += dr[i] * re[j] - di[i] * im[j];
        outIm[i] += dr[i] * im[j] + di[i] * re[j];
      }
    }
    return new double[][] {outRe, outIm};
  }

  @Override
  public String toString() {
    return "SlotMatrix(n=" + n + ", diagonals " + diagonals.size() + ")";
  }
}
