package io.polyhe.models.encrypted;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client-aided refresh in one process: the secret-key holder decrypts the low-level ciphertext,
 * decodes its slots, and encrypts them again (seeded, so the way back is half size) at the
 * requested level and scale. Used by tests and by the client SDK, which answers a server's
 * refresh requests this way. The values seen here are the client's own; the server never holds the
 * key. Bytes are counted as they would travel: the ciphertext as serialised at its level, the
 * answer as a seeded ciphertext. Thread-safe.
 */
public final class ClientAidedRefresher implements Refresher {
  private final CkksContext context;
  private final CkksEncoder encoder;
  private final Decryptor decryptor;
  private final SymmetricEncryptor encryptor;
  private final AtomicLong refreshes = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final AtomicLong bytesBack = new AtomicLong();

  public ClientAidedRefresher(CkksContext context, SecretKey secretKey) {
    this(context, secretKey, SeedSource.secure());
  }

  /** As above, with the encryption seeds from {@code seeds} (deterministic ones for tests). */
  public ClientAidedRefresher(CkksContext context, SecretKey secretKey, SeedSource seeds) {
    this.context = context;
    this.encoder = new CkksEncoder(context);
    this.decryptor = new Decryptor(context.rlwe(), secretKey);
    this.encryptor = new SymmetricEncryptor(context.rlwe(), secretKey, seeds);
  }

  @Override
  public Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale) {
    context.rlwe().checkOwns(ct);
    context.rlwe().checkLevel(targetLevel);
    if (!Ciphertext.isValidScale(targetScale)) {
      throw new IllegalArgumentException("refresh scale must be finite and >= 1, got " + targetScale);
    }
    if (ct.size() != 2) {
      throw new IllegalArgumentException("refresh needs a 2-part ciphertext; relinearise first");
    }
    double[][] slots = encoder.decodeComplex(decryptor.decrypt(ct));
    Ciphertext fresh = encryptor.encrypt(encoder.encodeComplex(
        slots[0], slots[1], targetLevel, targetScale));
    refreshes.incrementAndGet();
    bytesOut.addAndGet(HeFormat.serializedSize(ct));
    bytesBack.addAndGet(HeFormat.serializedSize(fresh));
    return fresh;
  }

  @Override
  public RefreshStats stats() {
    return new RefreshStats(refreshes.get(), bytesOut.get(), bytesBack.get());
  }
}
