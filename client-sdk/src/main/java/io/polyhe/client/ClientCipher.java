package io.polyhe.client;

import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.SymmetricEncryptor;

/**
 * The three things the client does with its secret key: encrypt the packed input (seeded, at the
 * manifest's level and scale), answer a refresh request (decrypt, decode, re-encrypt seeded at the
 * requested level and scale: client-aided refresh), and decrypt the logits. Every ciphertext from
 * the server is read with he-core's validating reader first. Thread-safe.
 */
final class ClientCipher {
  private final ClientModel model;
  private final CkksEncoder encoder;
  private final SymmetricEncryptor encryptor;
  private final Decryptor decryptor;

  ClientCipher(Keyring keyring) {
    this.model = keyring.model();
    this.encoder = new CkksEncoder(model.context());
    this.encryptor = new SymmetricEncryptor(model.context().rlwe(), keyring.secretKey(), keyring.seeds());
    this.decryptor = new Decryptor(model.context().rlwe(), keyring.secretKey());
  }

  /** The serialised, seeded encryption of {@code tokens}' input rows. */
  byte[] encryptInput(int[] tokens) {
    var m = model.manifest();
    return HeFormat.write(encryptor.encrypt(encoder.encode(model.pack(tokens), m.getInputLevel(), m.getInputScale())));
  }

  /**
   * Largest magnitude a refreshed slot keeps; larger values are clamped. The model's refreshed
   * values (residual stream, normed activations, the attention mean) stay far below it.
   */
  static final double REFRESH_VALUE_BOUND = 0x1p12;

  /**
   * A fresh, seeded encryption of the slots of {@code ciphertext} at {@code level} and {@code scale}.
   *
   * <p>Whether this succeeds must not depend on the secret values, or a hostile server could learn
   * the key from which requests fail (it can ask to refresh ciphertexts it made up). So the request
   * is judged on public data only — the level, and a scale that leaves room for {@link
   * #REFRESH_VALUE_BOUND} below {@code Q_level} — and the decrypted values are clamped to that
   * bound (NaN to 0) before encoding, which then cannot fail.
   *
   * @throws IllegalArgumentException for a malformed ciphertext or an impossible level or scale
   */
  byte[] refresh(byte[] ciphertext, int level, double scale) {
    if (level < 0 || level > model.parameters().maxLevel() || !(scale > 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("refresh request for level " + level + " and scale " + scale
          + " is outside the parameters");
    }
    double log2q = 0;
    for (int i = 0; i <= level; i++) {
      log2q += Math.log(model.parameters().rlwe().q(i)) / Math.log(2);
    }
    if (Math.log(scale) / Math.log(2) + Math.log(REFRESH_VALUE_BOUND) / Math.log(2) + 2 >= log2q) {
      throw new IllegalArgumentException("refresh request for scale 2^" + Math.log(scale) / Math.log(2)
          + " leaves no room for values up to " + REFRESH_VALUE_BOUND + " at level " + level);
    }
    Ciphertext ct = HeFormat.readCiphertext(ciphertext, model.context());
    if (ct.size() != 2) {
      throw new IllegalArgumentException("refresh request holds a " + ct.size() + "-part ciphertext");
    }
    double[][] slots = encoder.decodeComplex(decryptor.decrypt(ct));
    clamp(slots[0]);
    clamp(slots[1]);
    return HeFormat.write(encryptor.encrypt(encoder.encodeComplex(slots[0], slots[1], level, scale)));
  }

  private static void clamp(double[] v) {
    for (int i = 0; i < v.length; i++) {
      double x = v[i];
      v[i] = Double.isNaN(x) ? 0 : Math.max(-REFRESH_VALUE_BOUND, Math.min(REFRESH_VALUE_BOUND, x));
    }
  }

  /** Logits {@code [tokens][vocab]} of the serialised output ciphertext. */
  double[][] decryptLogits(byte[] ciphertext, int tokens) {
    Ciphertext ct = HeFormat.readCiphertext(ciphertext, model.context());
    return model.unpackLogits(encoder.decode(decryptor.decrypt(ct)), tokens);
  }
}
