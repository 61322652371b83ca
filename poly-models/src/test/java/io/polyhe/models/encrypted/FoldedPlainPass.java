package io.polyhe.models.encrypted;

import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Architecture;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * The poly-plain pass written the way the encrypted pass computes it — folded weights, centred
 * stream, row mean of {@code s^p} carried into the scores, rotary positions folded into the query
 * and key projections, one norm for both branches of a parallel residual — in doubles, with every
 * intermediate kept:
 * the twin each encrypted segment is tested against. {@link FoldedWeightsTest} checks that its logits
 * equal {@link Transformer#logits} in poly-plain mode.
 */
final class FoldedPlainPass {
  final List<double[][]> streams = new ArrayList<>(); // x before each norm: 2 per layer (1 if parallel), then the final one
  final List<double[][]> normed = new ArrayList<>();  // the matching norm outputs
  final List<double[][]> attentionOut = new ArrayList<>();
  final List<double[][]> ffnOut = new ArrayList<>();
  final double[][] logits;

  private final ModelConfig config;
  private final FoldedWeights w;
  private final Approximations ap;

  FoldedPlainPass(Transformer model, int[] tokens) {
    this.config = model.config();
    this.w = new FoldedWeights(model);
    this.ap = config.approximations().orElseThrow();
    int n = tokens.length;
    double[][] x = new double[n][];
    for (int t = 0; t < n; t++) {
      x[t] = w.inputRow(tokens[t], t);
    }
    boolean parallel = config.architecture() instanceof Architecture.GptNeoX neox && neox.parallelResidual();
    for (int l = 0; l < config.numLayers(); l++) {
      FoldedWeights.Layer lw = w.layers().get(l);
      double[][] h = norm(x);
      double[][] a = attention(h, lw);
      attentionOut.add(a);
      if (!parallel) {
        x = add(x, a);
        h = norm(x);
      }
      double[][] f = ffn(h, lw);
      ffnOut.add(f);
      x = add(parallel ? add(x, a) : x, f);
    }
    double[][] y = norm(x);
    logits = new double[n][];
    for (int t = 0; t < n; t++) {
      logits[t] = w.lmHead().apply(y[t]);
    }
  }

  double[][] norm(double[][] x) {
    streams.add(x);
    double[][] y = new double[x.length][];
    for (int t = 0; t < x.length; t++) {
      double u = 0;
      for (double v : x[t]) {
        u += v * v;
      }
      double r = ap.normInverseSqrt().evaluate(u / x[t].length + config.norm().eps());
      y[t] = new double[x[t].length];
      for (int i = 0; i < y[t].length; i++) {
        y[t][i] = x[t][i] * r;
      }
    }
    normed.add(y);
    return y;
  }

  double[][] attention(double[][] h, FoldedWeights.Layer lw) {
    Attention.PowerSoftmax ps = (Attention.PowerSoftmax) config.attention();
    int n = h.length;
    int dh = config.headDim();
    double[][] q = new double[n][];
    double[][] k = new double[n][];
    double[][] v = new double[n][];
    for (int t = 0; t < n; t++) {
      q[t] = w.atPosition(lw.q(), t).apply(h[t]);
      k[t] = w.atPosition(lw.k(), t).apply(h[t]);
      v[t] = lw.v().apply(h[t]);
    }
    double[][] out = new double[n][];
    for (int t = 0; t < n; t++) {
      double[] o = new double[config.hiddenSize()];
      for (int hd = 0; hd < config.numHeads(); hd++) {
        double[] wts = new double[t + 1];
        double sum = 0;
        for (int j = 0; j <= t; j++) {
          double s = 0;
          for (int c = 0; c < dh; c++) {
            s += q[t][hd * dh + c] * k[j][hd * dh + c];
          }
          wts[j] = Math.pow(s / Math.sqrt(dh), ps.power()) / (t + 1);
          sum += wts[j];
        }
        double inv = ap.attentionInverse().evaluate(ps.epsilon() + sum);
        for (int j = 0; j <= t; j++) {
          for (int c = 0; c < dh; c++) {
            o[hd * dh + c] += wts[j] * v[j][hd * dh + c] * inv;
          }
        }
      }
      out[t] = lw.o().apply(o);
    }
    return out;
  }

  double[][] ffn(double[][] h, FoldedWeights.Layer lw) {
    double[][] out = new double[h.length][];
    for (int t = 0; t < h.length; t++) {
      double[] u = lw.up().apply(h[t]);
      for (int i = 0; i < u.length; i++) {
        u[i] = ap.activation().evaluate(u[i]);
      }
      out[t] = lw.down().apply(u);
    }
    return out;
  }

  private static double[][] add(double[][] a, double[][] b) {
    double[][] c = new double[a.length][];
    for (int t = 0; t < a.length; t++) {
      c[t] = a[t].clone();
      for (int i = 0; i < c[t].length; i++) {
        c[t][i] += b[t][i];
      }
    }
    return c;
  }
}
