package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.PlainVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The plaintext vectors of a ciphertext whose first {@code count} rows are in use: every layer's
 * biases, the LM head's bias, and the constants and masks the norm, the attention inverse and the
 * FFN need. Biases cover the rows in use only, so rows beyond the prompt stay near zero; the
 * offsets outside the rows keep the norm's and the inverse's polynomials inside their intervals
 * there. Depends only on {@code count} and, with rotary positions (whose query and key biases
 * rotate with the absolute position), on the position of the first row, so a compiled model builds
 * it once per (first row, count). Immutable; thread-safe (encoding caches are concurrent).
 */
final class RowPlaintexts {
  private final int count;
  private final List<LayerBiases> layers;
  private final PlainVector lmBias;
  private final PlainVector normOffset;
  private final PlainVector rowMean;
  private final PlainVector inverseOffset;
  private final PlainVector firstBlock;

  private RowPlaintexts(int count, List<LayerBiases> layers, PlainVector lmBias, PlainVector normOffset,
      PlainVector rowMean, PlainVector inverseOffset, PlainVector firstBlock) {
    this.count = count;
    this.layers = layers;
    this.lmBias = lmBias;
    this.normOffset = normOffset;
    this.rowMean = rowMean;
    this.inverseOffset = inverseOffset;
    this.firstBlock = firstBlock;
  }

  /** The plaintexts for the first {@code count} rows of the first ciphertext of {@code c}'s layout. */
  static RowPlaintexts build(int count, FoldedWeights folded, BlockContext c) {
    return build(0, count, folded, c);
  }

  /**
   * The plaintexts for the first {@code count} rows of a ciphertext of {@code c}'s layout whose
   * first row is position {@code firstRow} (it matters only with rotary positions).
   */
  static RowPlaintexts build(int firstRow, int count, FoldedWeights folded, BlockContext c) {
    int slots = c.layout().slots();
    int stride = c.stride();
    int d = c.d();
    List<LayerBiases> biases = new ArrayList<>();
    for (int l = 0; l < folded.layers().size(); l++) {
      biases.add(LayerBiases.of(folded, l, firstRow, count, stride));
    }
    double[] offset = new double[slots];
    Arrays.fill(offset, c.approximations().normOffset());
    for (int t = 0; t < count; t++) {
      Arrays.fill(offset, t * stride, t * stride + d, 0);
    }
    double[] mean = new double[slots];
    double[] invOffset = new double[slots];
    Arrays.fill(invOffset, c.approximations().inverseOffset());
    for (int t = 0; t < count; t++) {
      for (int h = 0; h < c.config().numHeads(); h++) {
        mean[t * stride + h * c.headDim()] = 1;
      }
      Arrays.fill(invOffset, t * stride, t * stride + d, c.approximations().attentionEpsilon());
    }
    double[] first = new double[slots];
    for (int t = 0; t < count; t++) {
      Arrays.fill(first, t * stride, t * stride + d, 1);
    }
    return new RowPlaintexts(count, List.copyOf(biases), rowBias(folded.lmHead().b(), count, stride),
        new PlainVector(offset), new PlainVector(mean), new PlainVector(invOffset), new PlainVector(first));
  }

  /** {@code b} at the start of each of the first {@code count} rows of stride {@code stride}. */
  static PlainVector rowBias(double[] b, int count, int stride) {
    return rowBias(t -> b, count, stride);
  }

  /** {@code bias.apply(t)} (all of one length) at the start of row t, for the first {@code count} rows. */
  static PlainVector rowBias(IntFunction<double[]> bias, int count, int stride) {
    double[] v = null;
    for (int t = 0; t < count; t++) {
      double[] b = bias.apply(t);
      if (v == null) {
        v = new double[(count - 1) * stride + b.length];
      }
      System.arraycopy(b, 0, v, t * stride, b.length);
    }
    return new PlainVector(v);
  }

  /** Rows in use. */
  int count() {
    return count;
  }

  /** The biases of layer {@code layer}. */
  LayerBiases layer(int layer) {
    return layers.get(layer);
  }

  /** The LM head's bias. */
  PlainVector lmBias() {
    return lmBias;
  }

  /** 0 on each row's first {@code d} columns, the norm's offset {@code d·(lo − eps)} elsewhere. */
  PlainVector normOffset() {
    return normOffset;
  }

  /** 1 at each head's first column of each row in use: keeps the row sums of the powered scores. */
  PlainVector rowMean() {
    return rowMean;
  }

  /** ε on each row's first {@code d} columns, the inverse's lower end elsewhere. */
  PlainVector inverseOffset() {
    return inverseOffset;
  }

  /** 1 on each row's first {@code d} columns (the residual stream's), 0 elsewhere. */
  PlainVector firstBlock() {
    return firstBlock;
  }
}
