package io.polyhe.client;

import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.Reencryptor;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.SymmetricEncryptor;

/**
 * The three things the client does with its secret key: encrypt the packed input (seeded, at the
 * manifest's level and scale), answer a refresh request (decrypt, decode, re-encrypt seeded at the
 * requested level and scale: client-aided refresh, by he-core's {@link Reencryptor}), and decrypt
 * the logits. Every ciphertext from the server is read with he-core's validating reader first.
 * Thread-safe.
 */
final class ClientCipher {
  private final ClientModel model;
  private final CkksEncoder encoder;
  private final SymmetricEncryptor encryptor;
  private final Decryptor decryptor;
  private final Reencryptor reencryptor;

  ClientCipher(Keyring keyring) {
    this.model = keyring.model();
    this.encoder = new CkksEncoder(model.context());
    this.encryptor = new SymmetricEncryptor(model.context().rlwe(), keyring.secretKey(), keyring.seeds());
    this.decryptor = new Decryptor(model.context().rlwe(), keyring.secretKey());
    this.reencryptor = new Reencryptor(model.context(), keyring.secretKey(), keyring.seeds());
  }

  /** The serialised, seeded encryption of {@code tokens}' input rows. */
  byte[] encryptInput(int[] tokens) {
    var m = model.manifest();
    return model.wire().write(encryptor.encrypt(encoder.encode(model.pack(tokens), m.getInputLevel(), m.getInputScale())));
  }

  /**
   * Largest magnitude a refreshed slot keeps; larger values are clamped ({@link
   * Reencryptor#VALUE_BOUND}).
   */
  static final double REFRESH_VALUE_BOUND = Reencryptor.VALUE_BOUND;

  /**
   * A fresh, seeded encryption of the slots of {@code ciphertext} at {@code level} and {@code scale}:
   * he-core's {@link Reencryptor}, which judges the request on public data only (checked here
   * before the ciphertext is even read) and clamps the decrypted values, so that whether it
   * succeeds cannot depend on secret values.
   *
   * @throws IllegalArgumentException for a malformed ciphertext or an impossible level or scale
   */
  byte[] refresh(byte[] ciphertext, int level, double scale) {
    reencryptor.checkRequest(level, scale);
    Ciphertext ct = model.wire().read(ciphertext, model.context());
    return model.wire().write(reencryptor.refresh(ct, level, scale));
  }

  /** Logits {@code [tokens][vocab]} of the serialised output ciphertext. */
  double[][] decryptLogits(byte[] ciphertext, int tokens) {
    Ciphertext ct = model.wire().read(ciphertext, model.context());
    return model.unpackLogits(encoder.decode(decryptor.decrypt(ct)), tokens);
  }
}
