package io.polyhe.models.encrypted;

/**
 * What a client needs to build the rows it encrypts: the token and position embedding tables and
 * whether rows are centred (LayerNorm models keep a centred residual stream, see {@link
 * FoldedWeights}). Part of a model's public client data; no other weight is needed. Immutable.
 */
public final class InputEmbedding {
  private final double[] tokens;
  private final double[] positions;
  private final int vocab;
  private final int context;
  private final int width;
  private final boolean centred;

  /**
   * @param tokens {@code [vocab][width]} row-major
   * @param positions {@code [context][width]} row-major
   * @throws IllegalArgumentException if the table sizes do not match or a value is not finite
   */
  public InputEmbedding(double[] tokens, double[] positions, int vocab, int context, int width, boolean centred) {
    if (vocab < 1 || context < 1 || width < 1
        || tokens.length != (long) vocab * width || positions.length != (long) context * width) {
      throw new IllegalArgumentException("embedding tables of " + tokens.length + " and " + positions.length
          + " values do not match vocab " + vocab + ", context " + context + ", width " + width);
    }
    for (double v : tokens) {
      finite(v);
    }
    for (double v : positions) {
      finite(v);
    }
    this.tokens = tokens.clone();
    this.positions = positions.clone();
    this.vocab = vocab;
    this.context = context;
    this.width = width;
    this.centred = centred;
  }

  private static void finite(double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("embedding value " + v + " is not finite");
    }
  }

  public int vocab() {
    return vocab;
  }

  public int context() {
    return context;
  }

  public int width() {
    return width;
  }

  public boolean centred() {
    return centred;
  }

  /**
   * The row for {@code token} at position {@code pos}: the sum of both embeddings, centred if the
   * model needs it.
   *
   * @throws IllegalArgumentException if the token or position is out of range
   */
  public double[] row(int token, int pos) {
    if (token < 0 || token >= vocab) {
      throw new IllegalArgumentException("token id " + token + " outside [0, " + vocab + ")");
    }
    if (pos < 0 || pos >= context) {
      throw new IllegalArgumentException("position " + pos + " outside the context of " + context);
    }
    double[] x = new double[width];
    double mu = 0;
    for (int i = 0; i < width; i++) {
      x[i] = tokens[token * width + i] + positions[pos * width + i];
      mu += x[i];
    }
    if (centred) {
      mu /= width;
      for (int i = 0; i < width; i++) {
        x[i] -= mu;
      }
    }
    return x;
  }
}
