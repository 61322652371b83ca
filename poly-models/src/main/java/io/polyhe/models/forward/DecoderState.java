package io.polyhe.models.forward;

import io.polyhe.models.config.Architecture;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.weights.LayerWeights;
import io.polyhe.models.weights.ModelWeights;
import io.polyhe.models.weights.NormWeights;

/**
 * One sequence being decoded: the key/value cache of every layer and the number of tokens seen.
 * Appending token {@code i} computes only row {@code i}, which is exactly row {@code i} of the
 * full causal pass (nothing at position {@code i} depends on later tokens).
 *
 * <p>Mutable; not thread-safe (one sequence, one thread). Arithmetic follows {@code
 * training/model.py} and {@code training/neox.py}: scores {@code (q . k) / sqrt(d_h)} (GPT-NeoX:
 * after the {@link Rotary} rotation of q and k); power-softmax {@code A_ij = s_ij^p *
 * (inv(epsilon + sum_j s_ij^p / (i+1)) / (i+1))}; norms {@code (x - mu) * invsqrt(var + eps) *
 * w + b}; GPT-NeoX's parallel residual {@code x + Attn(LN1 x) + MLP(LN2 x)}, else {@code x +=
 * Attn(LN1 x); x += MLP(LN2 x)}.
 */
public final class DecoderState {
  private final ModelConfig config;
  private final ModelWeights weights;
  private final Numerics numerics;
  private final double[][][] keys;
  private final double[][][] values;
  private final Rotary rotary;
  private final boolean parallel;
  private int length;

  DecoderState(Transformer model, Numerics numerics) {
    this.config = model.config();
    this.weights = model.weights();
    this.numerics = numerics;
    if (config.architecture() instanceof Architecture.GptNeoX n) {
      this.rotary = new Rotary(n, config.numHeads(), config.headDim(), config.maxPositions());
      this.parallel = n.parallelResidual();
    } else {
      this.rotary = null;
      this.parallel = false;
    }
    int layers = config.numLayers();
    this.keys = new double[layers][config.maxPositions()][];
    this.values = new double[layers][config.maxPositions()][];
  }

  /** Tokens appended so far. */
  public int length() {
    return length;
  }

  /**
   * Appends {@code token} and returns the logits predicting the next token.
   *
   * @throws IllegalArgumentException if {@code token} is not a valid id
   * @throws IllegalStateException if the context is full
   */
  public double[] append(int token) {
    return weights.lmHead().apply(norm(weights.finalNorm(), advance(token)));
  }

  /**
   * Appends {@code token} without computing logits (prefill and calibration, where the LM head
   * would dominate the cost). The final norm still runs so that a {@link RangeRecorder} sees
   * its input.
   *
   * @throws IllegalArgumentException if {@code token} is not a valid id
   * @throws IllegalStateException if the context is full
   */
  public void feed(int token) {
    norm(weights.finalNorm(), advance(token));
  }

  // Runs every block for the next position; returns the residual stream before the final norm.
  private double[] advance(int token) {
    if (token < 0 || token >= config.vocabSize()) {
      throw new IllegalArgumentException("token id " + token + " outside [0, " + config.vocabSize() + ")");
    }
    if (length == config.maxPositions()) {
      throw new IllegalStateException("context of " + config.maxPositions() + " tokens is full");
    }
    int d = config.hiddenSize();
    double[] x = weights.embed(token, length, d);
    for (int l = 0; l < config.numLayers(); l++) {
      LayerWeights w = weights.layers().get(l);
      double[] h = norm(w.attnNorm(), x);
      double[] q = w.q().apply(h);
      double[] k = w.k().apply(h);
      if (rotary != null) {
        rotary.apply(q, length);
        rotary.apply(k, length);
      }
      keys[l][length] = k;
      values[l][length] = w.v().apply(h);
      double[] a = w.o().apply(attention(q, l));
      if (!parallel) {
        add(x, a);
      }
      double[] u = w.up().apply(norm(w.ffnNorm(), x));
      for (int i = 0; i < u.length; i++) {
        u[i] = numerics.activation(u[i]);
      }
      double[] m = w.down().apply(u);
      if (parallel) {
        add(x, a); // x + Attn(LN1 x) + MLP(LN2 x): both branches read the same x
      }
      add(x, m);
    }
    length++;
    return x;
  }

  private double[] attention(double[] q, int layer) {
    int heads = config.numHeads();
    int dh = config.headDim();
    int n = length + 1; // rows 0..length, the new token included
    double scale = Math.sqrt(dh);
    double[] out = new double[config.hiddenSize()];
    double[] w = new double[n];
    for (int h = 0; h < heads; h++) {
      int off = h * dh;
      for (int j = 0; j < n; j++) {
        double[] k = keys[layer][j];
        double s = 0;
        for (int t = 0; t < dh; t++) {
          s += q[off + t] * k[off + t];
        }
        w[j] = s / scale;
      }
      switch (config.attention()) {
        case Attention.Softmax sm -> softmax(w, n);
        case Attention.PowerSoftmax p -> powerSoftmax(w, n, p);
      }
      for (int j = 0; j < n; j++) {
        double[] v = values[layer][j];
        for (int t = 0; t < dh; t++) {
          out[off + t] += w[j] * v[off + t];
        }
      }
    }
    return out;
  }

  private static void softmax(double[] s, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, s[j]);
    }
    double sum = 0;
    for (int j = 0; j < n; j++) {
      s[j] = Math.exp(s[j] - max);
      sum += s[j];
    }
    for (int j = 0; j < n; j++) {
      s[j] /= sum;
    }
  }

  private void powerSoftmax(double[] s, int n, Attention.PowerSoftmax p) {
    double sum = 0;
    for (int j = 0; j < n; j++) {
      s[j] = Math.pow(s[j], p.power());
      sum += s[j];
    }
    // The mean over the n = i+1 visible keys keeps the divisor's range independent of length.
    double inv = numerics.inverse(p.epsilon() + sum / n) / n;
    for (int j = 0; j < n; j++) {
      s[j] *= inv;
    }
  }

  private double[] norm(NormWeights w, double[] x) {
    int d = x.length;
    boolean layerNorm = config.norm().kind() == Norm.Kind.LAYERNORM;
    double mu = 0;
    if (layerNorm) {
      for (double v : x) {
        mu += v;
      }
      mu /= d;
    }
    double var = 0;
    double[] xc = new double[d];
    for (int i = 0; i < d; i++) {
      xc[i] = x[i] - mu;
      var += xc[i] * xc[i];
    }
    double r = numerics.inverseSqrt(var / d + config.norm().eps());
    double[] y = new double[d];
    for (int i = 0; i < d; i++) {
      y[i] = xc[i] * r * w.weight(i) + w.bias(i);
    }
    return y;
  }

  private static void add(double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
  }
}
