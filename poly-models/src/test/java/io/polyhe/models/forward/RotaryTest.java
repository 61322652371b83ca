package io.polyhe.models.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.polyhe.models.config.Architecture;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rotary embeddings: Hugging Face's rotate-half formula, and the law that makes them positional. */
class RotaryTest {
  private static final Architecture.GptNeoX NEOX = new Architecture.GptNeoX(0.5, 10000, true);

  @Test
  void matchesTheRotateHalfFormulaAndLeavesTheRestAlone() {
    Rotary r = new Rotary(NEOX, 2, 8, 16); // 4 rotating dims per head of 8
    double[] x = new SplittableRandom(1).doubles(16, -1, 1).toArray();
    double[] y = x.clone();
    r.apply(y, 5);
    for (int h = 0; h < 2; h++) {
      int o = h * 8;
      for (int i = 0; i < 2; i++) {
        double a = 5 * Math.pow(10000, -2.0 * i / 4);
        // q * cos + rotate_half(q) * sin, rotate_half(q) = cat(-q2, q1)
        assertEquals(x[o + i] * Math.cos(a) - x[o + i + 2] * Math.sin(a), y[o + i], 1e-15);
        assertEquals(x[o + i + 2] * Math.cos(a) + x[o + i] * Math.sin(a), y[o + i + 2], 1e-15);
      }
      for (int i = 4; i < 8; i++) {
        assertEquals(x[o + i], y[o + i], 0);
      }
    }
  }

  @Test
  void scoresDependOnlyOnTheOffsetBetweenPositions() {
    Rotary r = new Rotary(NEOX, 1, 8, 64);
    SplittableRandom rnd = new SplittableRandom(2);
    double[] q = rnd.doubles(8, -1, 1).toArray();
    double[] k = rnd.doubles(8, -1, 1).toArray();
    double base = dot(rotated(r, q, 10), rotated(r, k, 3));
    for (int shift = 1; shift < 50; shift += 7) {
      assertEquals(base, dot(rotated(r, q, 10 + shift), rotated(r, k, 3 + shift)), 1e-12);
    }
    assertEquals(dot(q, q), dot(rotated(r, q, 33), rotated(r, q, 33)), 1e-12); // orthogonal
  }

  private static double[] rotated(Rotary r, double[] x, int t) {
    double[] y = x.clone();
    r.apply(y, t);
    return y;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
