package io.polyhe.cli.bench;

import java.util.Arrays;

/** Timing samples of one operation, in microseconds; reports medians (robust to noisy machines). */
final class Samples {
  private double[] values = new double[0];

  void add(double[] more) {
    double[] merged = Arrays.copyOf(values, values.length + more.length);
    System.arraycopy(more, 0, merged, values.length, more.length);
    values = merged;
  }

  int count() {
    return values.length;
  }

  /** Median in microseconds; NaN if there are no samples. */
  double median() {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Fastest sample in microseconds; NaN if there are none. */
  double min() {
    return values.length == 0 ? Double.NaN : java.util.Arrays.stream(values).min().getAsDouble();
  }

  /** Times {@code iterations} runs of {@code body}, one sample each. */
  static double[] time(Runnable body, int iterations) {
    double[] out = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      body.run();
      out[i] = (System.nanoTime() - start) / 1e3;
    }
    return out;
  }
}
