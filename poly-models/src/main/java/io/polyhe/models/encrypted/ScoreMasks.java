package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.PlainVector;
import io.polyhe.models.config.ModelConfig;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Attention's score masks, built on first use and kept: for query ciphertext {@code tile} (its
 * first {@code count} rows in use) against the keys of the same ciphertext ({@code sameTile}:
 * causal, diagonals {@code 0..count-1}) or of an earlier, full one (every pair, diagonals {@code
 * 0..R-1}, the keys' rows wrapped around their ciphertext). One mask per group of {@code P}
 * diagonals (diagonal {@code -(gP+b)} in block {@code b}); each carries {@code 1/√d_h} and the
 * query row's {@code (i+1)^(-1/p)} at each head's first column, so the p-th power holds the row
 * mean's public {@code 1/(i+1)}. Shared by every layer; thread-safe (the cache is concurrent, its
 * masks immutable).
 */
final class ScoreMasks {
  private final int slots;
  private final int rowsPerTile;
  private final int stride;
  private final int d;
  private final int pack;
  private final int headDim;
  private final int heads;
  private final int power;
  private final ConcurrentMap<List<Integer>, PlainVector[]> byTile = new ConcurrentHashMap<>();

  ScoreMasks(SlotLayout layout, ModelConfig config, int power) {
    this.slots = layout.slots();
    this.rowsPerTile = layout.rowsPerCiphertext();
    this.stride = layout.rowStride();
    this.d = config.hiddenSize();
    this.pack = stride / d;
    this.headDim = config.headDim();
    this.heads = config.numHeads();
    this.power = power;
  }

  /** The masks of query ciphertext {@code tile} with {@code count} rows in use against keys as above. */
  PlainVector[] of(int tile, int count, boolean sameTile) {
    return byTile.computeIfAbsent(List.of(tile, count, sameTile ? 1 : 0), key -> build(tile, count, sameTile));
  }

  private PlainVector[] build(int tile, int count, boolean sameTile) {
    int diagonals = sameTile ? count : rowsPerTile;
    int groups = (diagonals + pack - 1) / pack;
    PlainVector[] masks = new PlainVector[groups];
    for (int g = 0; g < groups; g++) {
      double[] m = new double[slots];
      for (int b = 0; b < pack; b++) {
        int k = g * pack + b; // diagonal -k: key row t-k (mod R across ciphertexts) for query row t
        if (k >= diagonals) {
          break;
        }
        for (int t = sameTile ? k : 0; t < count; t++) {
          int row = tile * rowsPerTile + t;
          double factor = 1 / Math.sqrt(headDim) / Math.pow(row + 1, 1.0 / power);
          for (int h = 0; h < heads; h++) {
            m[t * stride + b * d + h * headDim] = factor;
          }
        }
      }
      masks[g] = new PlainVector(m);
    }
    return masks;
  }
}
