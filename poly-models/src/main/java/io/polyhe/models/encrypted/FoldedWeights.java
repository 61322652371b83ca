package io.polyhe.models.encrypted;

import io.polyhe.models.config.Architecture;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.forward.Rotary;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.weights.LayerWeights;
import io.polyhe.models.weights.Linear;
import io.polyhe.models.weights.ModelWeights;
import io.polyhe.models.weights.NormWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's weights rewritten, exactly in real arithmetic, for the encrypted pass (the pre-LN to
 * pre-RMSNorm folding of Jiang et al., 2023, DESIGN.md §4):
 *
 * <ul>
 *   <li><b>Norm weight and bias into the next linear layer.</b> {@code W·(z·γ + β) + b = (W·diag γ)·z
 *       + (W·β + b)}, so a norm on ciphertexts is only {@code z = x·invsqrt(mean x² + eps)}.
 *   <li><b>Centred residual stream (LayerNorm models).</b> Every norm subtracts the row mean, so the
 *       model is unchanged if the residual stream is kept centred: the embedding rows the client
 *       packs are centred, and the two writers of the stream (attention output and FFN down
 *       projection) get {@code C·W} and {@code C·b} with {@code C = I - 11ᵀ/d}. The encrypted norm
 *       then needs no mean (no rotations, no level for it).
 *   <li><b>Rotary positions into the query and key projections (GPT-NeoX).</b> Row t's rotation
 *       {@code R_t} is a fixed orthogonal {@code d × d} matrix, so {@code R_t·(W·z + b) = (R_t·W)·z
 *       + R_t·b}: {@link #atPosition} gives the projection of position t, one block per row of the
 *       encrypted projection ({@link io.polyhe.he.circuits.BlockMatrix#perBlock}), with the same
 *       diagonals as without rotation — no rotation of ciphertexts, no level. The client packs
 *       token embeddings only (the position table is zero).
 * </ul>
 *
 * Immutable; matrices are {@code [out][in]}.
 */
public final class FoldedWeights {

  /** An affine map {@code y = W x + b}, {@code W} as {@code [out][in]}; arrays copied in and out. */
  public record Affine(double[][] w, double[] b) {
    public Affine {
      w = deepCopy(w);
      b = b.clone();
    }

    @Override
    public double[][] w() {
      return deepCopy(w);
    }

    @Override
    public double[] b() {
      return b.clone();
    }

    private static double[][] deepCopy(double[][] m) {
      double[][] c = new double[m.length][];
      for (int i = 0; i < m.length; i++) {
        c[i] = m[i].clone();
      }
      return c;
    }

    /** The map applied to {@code x} (for tests). */
    public double[] apply(double[] x) {
      double[] y = b.clone();
      for (int i = 0; i < w.length; i++) {
        for (int j = 0; j < x.length; j++) {
          y[i] += w[i][j] * x[j];
        }
      }
      return y;
    }
  }

  /** One block: Q, K, V after the first norm, O centred, up after the second norm, down centred. */
  public record Layer(Affine q, Affine k, Affine v, Affine o, Affine up, Affine down) {}

  private final ModelConfig config;
  private final ModelWeights weights;
  private final boolean centred;
  private final List<Layer> layers;
  private final Affine lmHead;
  private final InputEmbedding inputEmbedding;
  private final Rotary rotary; // null: no rotary positions (or none of a head's dimensions rotate)

  public FoldedWeights(Transformer model) {
    this.config = model.config();
    this.weights = model.weights();
    this.centred = config.norm().kind() == Norm.Kind.LAYERNORM;
    Rotary r = config.architecture() instanceof Architecture.GptNeoX n
        ? new Rotary(n, config.numHeads(), config.headDim(), config.maxPositions()) : null;
    this.rotary = r != null && r.dims() > 0 ? r : null;
    List<Layer> ls = new ArrayList<>();
    for (LayerWeights w : weights.layers()) {
      ls.add(new Layer(afterNorm(w.q(), w.attnNorm()), afterNorm(w.k(), w.attnNorm()),
          afterNorm(w.v(), w.attnNorm()), intoStream(w.o()), afterNorm(w.up(), w.ffnNorm()),
          intoStream(w.down())));
    }
    this.layers = List.copyOf(ls);
    this.lmHead = afterNorm(weights.lmHead(), weights.finalNorm());
    // Rotary models have no position table; the client's rows are then the token embeddings.
    double[] positions = weights.hasPositionEmbedding() ? weights.positionEmbedding()
        : new double[config.maxPositions() * config.hiddenSize()];
    this.inputEmbedding = new InputEmbedding(weights.tokenEmbedding(), positions,
        config.vocabSize(), config.maxPositions(), config.hiddenSize(), centred);
  }

  /** Whether queries and keys rotate with their position (GPT-NeoX with {@code rotary_pct > 0}). */
  public boolean rotary() {
    return rotary != null;
  }

  /**
   * The query or key projection {@code a} of position {@code t}: {@code R_t·W} and {@code R_t·b}
   * (rotate-half on the first rotary dimensions of each head), or {@code a} itself without rotary
   * positions.
   *
   * @throws IndexOutOfBoundsException if {@code t} is outside the context
   */
  public Affine atPosition(Affine a, int t) {
    if (rotary == null) {
      return a;
    }
    double[][] w = a.w();
    int out = w.length;
    double[][] rw = new double[out][w[0].length];
    double[] column = new double[out];
    for (int j = 0; j < w[0].length; j++) {
      for (int i = 0; i < out; i++) {
        column[i] = w[i][j];
      }
      rotary.apply(column, t);
      for (int i = 0; i < out; i++) {
        rw[i][j] = column[i];
      }
    }
    return new Affine(rw, biasAtPosition(a, t));
  }

  /** {@code atPosition(a, t).b()}, without rotating the matrix. */
  public double[] biasAtPosition(Affine a, int t) {
    double[] b = a.b();
    if (rotary != null) {
      rotary.apply(b, t);
    }
    return b;
  }

  /** True when the residual stream is centred (LayerNorm models). */
  public boolean centred() {
    return centred;
  }

  public List<Layer> layers() {
    return layers;
  }

  public Affine lmHead() {
    return lmHead;
  }

  /** The client's part: embedding tables and whether rows are centred. */
  public InputEmbedding inputEmbedding() {
    return inputEmbedding;
  }

  /** The row the client packs for {@code token} at position {@code pos}: embedding, centred if need be. */
  public double[] inputRow(int token, int pos) {
    return inputEmbedding().row(token, pos);
  }

  private static double[] centre(double[] x) {
    double mu = 0;
    for (double v : x) {
      mu += v;
    }
    mu /= x.length;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] - mu;
    }
    return y;
  }

  // W·diag(γ), W·β + b
  private static Affine afterNorm(Linear lin, NormWeights norm) {
    double[][] w = new double[lin.out()][];
    double[] b = new double[lin.out()];
    for (int i = 0; i < lin.out(); i++) {
      double[] row = lin.row(i);
      double shift = lin.bias(i);
      for (int j = 0; j < row.length; j++) {
        shift += row[j] * norm.bias(j);
        row[j] *= norm.weight(j);
      }
      w[i] = row;
      b[i] = shift;
    }
    return new Affine(w, b);
  }

  // C·W and C·b for LayerNorm models (columns of W centred), W and b otherwise
  private Affine intoStream(Linear lin) {
    double[][] w = new double[lin.out()][];
    double[] b = new double[lin.out()];
    for (int i = 0; i < lin.out(); i++) {
      w[i] = lin.row(i);
      b[i] = lin.bias(i);
    }
    if (centred) {
      for (int j = 0; j < lin.in(); j++) {
        double mu = 0;
        for (int i = 0; i < lin.out(); i++) {
          mu += w[i][j];
        }
        mu /= lin.out();
        for (int i = 0; i < lin.out(); i++) {
          w[i][j] -= mu;
        }
      }
      b = centre(b);
    }
    return new Affine(w, b);
  }
}
