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
   * A fresh, seeded encryption of the slots of {@code ciphertext} at {@code level} and {@code scale}.
   *
   * @throws IllegalArgumentException for a malformed ciphertext or an impossible level or scale
   */
  byte[] refresh(byte[] ciphertext, int level, double scale) {
    if (level < 0 || level > model.parameters().maxLevel() || !(scale > 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("refresh request for level " + level + " and scale " + scale
          + " is outside the parameters");
    }
    Ciphertext ct = HeFormat.readCiphertext(ciphertext, model.context());
    if (ct.size() != 2) {
      throw new IllegalArgumentException("refresh request holds a " + ct.size() + "-part ciphertext");
    }
    double[][] slots = encoder.decodeComplex(decryptor.decrypt(ct));
    return HeFormat.write(encryptor.encrypt(encoder.encodeComplex(slots[0], slots[1], level, scale)));
  }

  /** Logits {@code [tokens][vocab]} of the serialised output ciphertext. */
  double[][] decryptLogits(byte[] ciphertext, int tokens) {
    Ciphertext ct = HeFormat.readCiphertext(ciphertext, model.context());
    return model.unpackLogits(encoder.decode(decryptor.decrypt(ct)), tokens);
  }
}
