package io.polyhe.models.encrypted;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ckks.Reencryptor;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys for a model's segment tests: the model's evaluation keys, encryption and decryption of slot
 * vectors, and an in-process refresher (he-core's {@link Reencryptor}). Whole passes are the {@code
 * local} module's {@code LocalInference}, which poly-models cannot depend on. Test code only: it
 * holds a secret key.
 */
final class InProcessKeys {
  private final CkksEncoder encoder;
  private final SymmetricEncryptor encryptor;
  private final Decryptor decryptor;
  private final CiphertextArithmetic arithmetic;
  private final Refresher refresher;

  InProcessKeys(EncryptedTransformer model, ComputeBackend backend, SeedSource seeds) {
    CkksContext context = CkksContext.create(model.parameters(), backend);
    KeyGenerator keygen = new KeyGenerator(context.rlwe(), seeds);
    SecretKey secretKey = keygen.generateSecretKey();
    this.encoder = new CkksEncoder(context);
    this.encryptor = new SymmetricEncryptor(context.rlwe(), secretKey, seeds);
    this.decryptor = new Decryptor(context.rlwe(), secretKey);
    this.arithmetic = new CiphertextArithmetic(
        new Evaluator(context, keygen.generateEvaluationKeys(secretKey, model.galoisElements())));
    Reencryptor reencryptor = new Reencryptor(context, secretKey, seeds);
    AtomicLong refreshes = new AtomicLong();
    this.refresher = new Refresher() {
      @Override
      public Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale) {
        refreshes.incrementAndGet();
        return reencryptor.refresh(ct, targetLevel, targetScale);
      }

      @Override
      public RefreshStats stats() {
        return new RefreshStats(refreshes.get(), 0, 0);
      }
    };
  }

  /** The evaluator's arithmetic, with the model's keys. */
  CiphertextArithmetic arithmetic() {
    return arithmetic;
  }

  /** Encrypts a slot vector at {@code level} and {@code scale}. */
  Ciphertext encrypt(double[] slots, int level, double scale) {
    return encryptor.encrypt(encoder.encode(slots, level, scale));
  }

  /** Decrypts and decodes all slots. */
  double[] decrypt(Ciphertext ct) {
    return encoder.decode(decryptor.decrypt(ct));
  }

  /** Client-aided refresh in process. */
  Refresher refresher() {
    return refresher;
  }
}
