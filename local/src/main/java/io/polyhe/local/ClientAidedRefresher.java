package io.polyhe.local;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.Reencryptor;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.SecretKey;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client-aided refresh in one process, for local runs and tests: the secret-key holder re-encrypts
 * the low-level ciphertext with he-core's {@link Reencryptor}, the same hardened step (public-data
 * checks, values clamped to {@link Reencryptor#VALUE_BOUND}) with which the client SDK answers a
 * server's refresh requests, so a local run refreshes exactly as a served one. Bytes are counted as
 * they would travel: the ciphertext as serialised at its level, the answer as a seeded ciphertext.
 * Holds a secret key: lives in the {@code local} module, which the server does not depend on.
 * Thread-safe.
 */
public final class ClientAidedRefresher implements Refresher {
  private final Reencryptor reencryptor;
  private final AtomicLong refreshes = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final AtomicLong bytesBack = new AtomicLong();

  public ClientAidedRefresher(CkksContext context, SecretKey secretKey) {
    this(context, secretKey, SeedSource.secure());
  }

  /** As above, with the encryption seeds from {@code seeds} (deterministic ones for tests). */
  public ClientAidedRefresher(CkksContext context, SecretKey secretKey, SeedSource seeds) {
    this.reencryptor = new Reencryptor(context, secretKey, seeds);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException also for a request {@link Reencryptor#checkRequest} refuses (a
   *     scale without room for the value bound at {@code targetLevel})
   */
  @Override
  public Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale) {
    Ciphertext fresh = reencryptor.refresh(ct, targetLevel, targetScale);
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
