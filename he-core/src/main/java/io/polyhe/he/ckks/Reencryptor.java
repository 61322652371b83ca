package io.polyhe.he.ckks;

import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;

/**
 * The secret-key holder's half of a client-aided refresh: decrypts a ciphertext that ran out of
 * levels, decodes its slots and encrypts them afresh (seeded, so the way back is half size) at a
 * requested level and scale. The one implementation of this step: the client SDK answers a
 * server's refresh requests with it, and the in-process refresher of local runs uses it too.
 *
 * <p>Whether a refresh succeeds must not depend on the secret values, or a hostile server could
 * learn the key from which requests fail (it can ask to refresh ciphertexts it made up). So a
 * request is judged on public data only ({@link #checkRequest}: the level, and a scale that leaves
 * room for {@link #VALUE_BOUND} below {@code Q_level}), and the decrypted values are clamped to
 * {@code [-VALUE_BOUND, VALUE_BOUND]} (NaN to 0) before encoding, which then cannot fail.
 *
 * <p>Holds a secret key: never constructed by the server (its architecture test forbids the
 * reference). Thread-safe as the encoder, decryptor and encryptor are.
 */
public final class Reencryptor {
  /**
   * Largest magnitude a refreshed slot keeps (real and imaginary parts alike); larger values are
   * clamped. The model's refreshed values (residual stream, normed activations, the attention
   * mean) stay far below it.
   */
  public static final double VALUE_BOUND = 0x1p12;

  private final CkksContext context;
  private final CkksEncoder encoder;
  private final Decryptor decryptor;
  private final SymmetricEncryptor encryptor;

  /** Fresh encryptions take their seeds from {@code seeds} ({@link SeedSource#secure()} in production). */
  public Reencryptor(CkksContext context, SecretKey secretKey, SeedSource seeds) {
    this.context = context;
    this.encoder = new CkksEncoder(context);
    this.decryptor = new Decryptor(context.rlwe(), secretKey);
    this.encryptor = new SymmetricEncryptor(context.rlwe(), secretKey, seeds);
  }

  /**
   * Checks a refresh request on public data alone: {@code level} within the parameters, {@code
   * scale} finite and above 1, and {@code log2(scale) + log2(VALUE_BOUND) + 2 < log2(Q_level)} so
   * that every clamped value encodes.
   *
   * @throws IllegalArgumentException if the request is impossible
   */
  public void checkRequest(int level, double scale) {
    CkksParameters params = context.parameters();
    if (level < 0 || level > params.maxLevel() || !(scale > 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("refresh request for level " + level + " and scale " + scale
          + " is outside the parameters");
    }
    double log2q = 0;
    for (int i = 0; i <= level; i++) {
      log2q += Math.log(params.rlwe().q(i)) / Math.log(2);
    }
    double log2Scale = Math.log(scale) / Math.log(2);
    if (log2Scale + Math.log(VALUE_BOUND) / Math.log(2) + 2 >= log2q) {
      throw new IllegalArgumentException("refresh request for scale 2^" + log2Scale
          + " leaves no room for values up to " + VALUE_BOUND + " at level " + level);
    }
  }

  /**
   * A fresh, seeded encryption of {@code ct}'s slots, clamped to {@link #VALUE_BOUND}, at {@code
   * level} and {@code scale}.
   *
   * @throws IllegalArgumentException if the request fails {@link #checkRequest}, {@code ct} belongs
   *     to other parameters, or is not 2-part (relinearise first); never for the values it holds
   */
  public Ciphertext refresh(Ciphertext ct, int level, double scale) {
    checkRequest(level, scale);
    context.rlwe().checkOwns(ct);
    if (ct.size() != 2) {
      throw new IllegalArgumentException("refresh needs a 2-part ciphertext, got " + ct.size()
          + " parts; relinearise first");
    }
    double[][] slots = encoder.decodeComplex(decryptor.decrypt(ct));
    clamp(slots[0]);
    clamp(slots[1]);
    return encryptor.encrypt(encoder.encodeComplex(slots[0], slots[1], level, scale));
  }

  private static void clamp(double[] v) {
    for (int i = 0; i < v.length; i++) {
      double x = v[i];
      v[i] = Double.isNaN(x) ? 0 : Math.max(-VALUE_BOUND, Math.min(VALUE_BOUND, x));
    }
  }

  @Override
  public String toString() {
    return "Reencryptor(" + context.parameters().rlwe().shortHash() + ")";
  }
}
