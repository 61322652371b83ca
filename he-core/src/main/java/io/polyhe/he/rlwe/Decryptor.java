package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;

/**
 * Decryption {@code m = c_0 + c_1·s + c_2·s²} (2- and 3-part ciphertexts), at the ciphertext's
 * level and scale. Thread-safe.
 */
public final class Decryptor {
  private final RlweContext context;
  private final SecretKey secretKey;

  public Decryptor(RlweContext context, SecretKey secretKey) {
    context.checkOwns(secretKey);
    this.context = context;
    this.secretKey = secretKey;
  }

  /** @throws IllegalArgumentException if {@code ct} belongs to other parameters */
  public Plaintext decrypt(Ciphertext ct) {
    context.checkOwns(ct);
    RnsRing ring = context.ring();
    RnsPoly s = secretKey.nttQ().prefixView(ct.level() + 1);
    // Horner: ((c_k·s + c_{k-1})·s + ...) + c_0.
    RnsPoly acc = ct.poly(ct.size() - 1).copy();
    for (int i = ct.size() - 2; i >= 0; i--) {
      ring.multiply(acc, s, acc);
      ring.add(acc, ct.poly(i), acc);
    }
    return new Plaintext(context.parameters(), acc, ct.scale());
  }
}
