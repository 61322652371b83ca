package io.polyhe.models.encrypted;

import io.polyhe.models.approx.ApproximationFitter;
import io.polyhe.models.approx.NewtonApproximation;
import io.polyhe.models.approx.NewtonKind;
import io.polyhe.models.config.Approximations;
import io.polyhe.models.config.Architecture;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.config.TokenizerSpec;
import io.polyhe.models.forward.DecoderState;
import io.polyhe.models.forward.Numerics;
import io.polyhe.models.forward.RangeRecorder;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.weights.LayerWeights;
import io.polyhe.models.weights.Linear;
import io.polyhe.models.weights.ModelWeights;
import io.polyhe.models.weights.NormWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A small random power-softmax GPT-NeoX model for encrypted-pass tests: d 32, 4 heads of 8 (rotary
 * on half of each head's dimensions, base 10000), d_ff 64, context 16, vocabulary 24, 2 layers,
 * LayerNorm with random weights and biases, erf GELU, an untied output embedding, power 4 with ε
 * 0.1. Linear maps N(0, 1/fan_in) (queries and keys N(0, 0.49/fan_in)) with biases N(0, 0.1²), embeddings N(0, 1). The approximations
 * are calibrated on the exact pass over random sequences (ranges widened as {@code
 * CalibrationPolicy.DEFAULT} does) and fitted without Newton steps (the encrypted pass evaluates
 * none), guesses of degree at most 127: the depths of the shipped tiny model's.
 */
final class RandomNeoX {
  private RandomNeoX() {}

  static final int D = 32;
  static final int HEADS = 4;
  static final int FF = 64;
  static final int CONTEXT = 16;
  static final int VOCAB = 24;
  static final int LAYERS = 2;

  /** Sizes of a model. */
  record Shape(int d, int heads, int ff, int context, int vocab, int layers) {}

  /** The test model's shape (the constants above). */
  static final Shape SMALL = new Shape(D, HEADS, FF, CONTEXT, VOCAB, LAYERS);

  /** The shape of the shipped text model {@code fortune} (and of fortune-teacher). */
  static final Shape FORTUNE = new Shape(64, 4, 256, 64, 98, 2);

  /** The {@link #SMALL} model with seed {@code seed}, parallel or sequential residual, {@code rotaryPct} of each head rotating. */
  static Transformer model(long seed, boolean parallel, double rotaryPct) {
    return model(SMALL, seed, parallel, rotaryPct);
  }

  /** As {@link #model(long, boolean, double)} of shape {@code shape}. */
  static Transformer model(Shape shape, long seed, boolean parallel, double rotaryPct) {
    Architecture arch = new Architecture.GptNeoX(rotaryPct, 10000, parallel);
    ModelWeights weights = weights(shape, new SplittableRandom(seed));
    Approximations placeholder = new Approximations(
        ApproximationFitter.fitNewton(NewtonKind.INVERSE, 1, 2, 1, 1e-3),
        ApproximationFitter.fitNewton(NewtonKind.INVERSE_SQRT, 1, 2, 1, 1e-3),
        ApproximationFitter.fitActivation(-1, 1, 1e-2));
    Transformer provisional = new Transformer(config(shape, arch, placeholder), weights);
    RangeRecorder seen = new RangeRecorder(new Numerics.Exact(ModelConfig.GELU_ERF));
    SplittableRandom r = new SplittableRandom(seed + 1);
    for (int s = 0; s < 64; s++) {
      DecoderState st = provisional.startRecording(seen);
      for (int t = 0; t < shape.context(); t++) {
        st.feed(r.nextInt(shape.vocab()));
      }
    }
    double[] invSqrt = seen.inverseSqrtRange();
    double[] inv = seen.inverseRange();
    double[] act = seen.activationRange();
    double c = (act[0] + act[1]) / 2;
    double half = (act[1] - act[0]) / 2 * 1.25;
    Approximations fitted = new Approximations(
        withoutNewton(NewtonKind.INVERSE, 0.1, Math.max(inv[1], 0.1) * 2),
        withoutNewton(NewtonKind.INVERSE_SQRT, invSqrt[0] / 2, invSqrt[1] * 2),
        ApproximationFitter.fitActivation(c - half, c + half, 1e-3));
    return new Transformer(config(shape, arch, fitted), weights);
  }

  // The lowest degree 2^k - 1 (up to 127) whose scaled guess alone reaches a relative error of 1e-4.
  private static NewtonApproximation withoutNewton(NewtonKind kind, double lo, double hi) {
    for (int degree = 15; degree <= 127; degree = 2 * degree + 1) {
      NewtonApproximation a = ApproximationFitter.fitNewton(kind, lo, hi, degree, 1e-4);
      if (a.iterations() == 0) {
        return a;
      }
    }
    throw new IllegalStateException(kind + " on [" + lo + ", " + hi + "] needs Newton steps at degree 127");
  }

  private static ModelConfig config(Shape s, Architecture arch, Approximations approx) {
    return new ModelConfig("neox-random", s.vocab(), s.d(), s.layers(), s.heads(), s.ff(), s.context(),
        new Attention.PowerSoftmax(4, 0.1),
        new Norm(Norm.Kind.LAYERNORM, 1e-5), ModelConfig.GELU_ERF, Optional.of(approx),
        new TokenizerSpec(TokenizerSpec.NONE, List.of(), 0, 0, 0), "test", arch);
  }

  private static ModelWeights weights(Shape s, SplittableRandom r) {
    int d = s.d();
    int ff = s.ff();
    List<LayerWeights> layers = new ArrayList<>();
    for (int l = 0; l < s.layers(); l++) {
      // Queries and keys at 0.7 of the usual spread keep the row means of s^4 (the inverse's
      // input) within a range its guess covers without Newton steps, as in a trained model.
      layers.add(new LayerWeights(norm(r, d), linear(r, d, d, 0.7), linear(r, d, d, 0.7), linear(r, d, d, 1),
          linear(r, d, d, 1), norm(r, d), linear(r, ff, d, 1), linear(r, d, ff, 1)));
    }
    double[] embedIn = gaussian(r, s.vocab() * d, 1, 0);
    Linear embedOut = new Linear(s.vocab(), d, gaussian(r, s.vocab() * d, 1 / Math.sqrt(d), 0), null);
    return new ModelWeights(embedIn, new double[0], layers, norm(r, d), embedOut);
  }

  private static Linear linear(SplittableRandom r, int out, int in, double spread) {
    return new Linear(out, in, gaussian(r, out * in, spread / Math.sqrt(in), 0), gaussian(r, out, 0.1, 0));
  }

  private static NormWeights norm(SplittableRandom r, int d) {
    return new NormWeights(gaussian(r, d, 0.1, 1), gaussian(r, d, 0.1, 0));
  }

  private static double[] gaussian(SplittableRandom r, int n, double std, double mean) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + std * r.nextGaussian();
    }
    return v;
  }
}
