package io.polyhe.client;

/**
 * One encrypted forward pass, decrypted.
 *
 * @param logits {@code [tokens][vocab]}
 * @param breakdown where the server's time went (client-aided refresh time split into server wait and
 *     client time; bootstrapping as the {@code bootstrap} component)
 * @param refreshes refreshes of the pass: client-aided ones answered, or bootstraps on the server
 * @param bytesUp bytes of ciphertexts sent (input and refresh answers)
 * @param bytesDown bytes of ciphertexts received (refresh requests and logits)
 * @param seconds wall time of the call, encryption and decryption included
 */
public record InferenceResult(double[][] logits, LatencyBreakdown breakdown, int refreshes, long bytesUp,
    long bytesDown, double seconds) {

  /** The most likely next token (argmax of the last row; the first on ties). */
  public int nextToken() {
    double[] row = logits[logits.length - 1];
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }
}
