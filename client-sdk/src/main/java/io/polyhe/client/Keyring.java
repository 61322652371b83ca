package io.polyhe.client;

import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The client's keys for one model: the secret key (which never leaves this object except encrypted
 * at rest by {@link #save}) and the means to make the public evaluation keys the server needs. The
 * evaluation keys are generated one at a time while they are uploaded ({@link #relinearizationKey},
 * {@link #galoisKey}), so the client never holds all of them (about 1.2 GB for {@code tiny}).
 * {@link #toString()} shows the model and sizes only. Thread-safe.
 */
public final class Keyring {
  private final ClientModel model;
  private final SecretKey secretKey;
  private final SeedSource seeds;

  private Keyring(ClientModel model, SecretKey secretKey, SeedSource seeds) {
    this.model = model;
    this.secretKey = secretKey;
    this.seeds = seeds;
  }

  /** A new secret key for {@code model}, from {@link SeedSource#secure()}. */
  public static Keyring generate(ClientModel model) {
    return generate(model, SeedSource.secure());
  }

  /** A new secret key for {@code model} from {@code seeds} (tests: deterministic seeds). */
  static Keyring generate(ClientModel model, SeedSource seeds) {
    SecretKey sk = new KeyGenerator(model.context().rlwe(), seeds).generateSecretKey();
    return new Keyring(model, sk, seeds);
  }

  /**
   * Writes the secret key to {@code file}, encrypted under {@code passphrase} (Argon2id + AES-256-GCM,
   * {@link KeyringFile}), atomically and readable by the owner only where the file system allows.
   */
  public void save(Path file, char[] passphrase) throws IOException {
    byte[] sk = HeFormat.writeSecretKey(secretKey, SecretKeyAccess.explicitlyGranted());
    try {
      KeyringFile.write(file, model.name(), model.parameters().rlwe().hash(), sk, passphrase);
    } finally {
      Arrays.fill(sk, (byte) 0);
    }
  }

  /**
   * Reads a keyring saved by {@link #save} for {@code model}.
   *
   * @throws IllegalArgumentException for a wrong passphrase, a damaged file, or a keyring of another
   *     model or parameters
   */
  public static Keyring load(Path file, char[] passphrase, ClientModel model) throws IOException {
    byte[] sk = KeyringFile.read(file, model.name(), model.parameters().rlwe().hash(), passphrase);
    try {
      return new Keyring(model, HeFormat.readSecretKey(sk, model.context(), SecretKeyAccess.explicitlyGranted()),
          SeedSource.secure());
    } finally {
      Arrays.fill(sk, (byte) 0);
    }
  }

  public ClientModel model() {
    return model;
  }

  /** A fresh relinearisation key. */
  public RelinearizationKey relinearizationKey() {
    return new KeyGenerator(model.context().rlwe(), seeds).generateRelinearizationKey(secretKey);
  }

  /** A fresh Galois key for {@code element}. */
  public GaloisKey galoisKey(int element) {
    return new KeyGenerator(model.context().rlwe(), seeds).generateGaloisKey(secretKey, element);
  }

  /** Package-private: only this SDK's encryptor and decryptor use the secret key. */
  SecretKey secretKey() {
    return secretKey;
  }

  SeedSource seeds() {
    return seeds;
  }

  @Override
  public String toString() {
    return "Keyring(model=" + model.name() + ", N=" + model.parameters().n() + ")";
  }
}
