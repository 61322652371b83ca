package io.polyhe.he.io;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.KeyGenerator;

/**
 * he-core's package-private {@link Fixture#tiny()} (insecure N = 8, the by-name test opt-in) opened
 * to the fuzz targets of other packages, as serialised objects for their seed corpora.
 */
public final class HeFuzzFixtures {
  private HeFuzzFixtures() {}

  public static CkksContext context() {
    return Fixture.tiny().context();
  }

  /** A public-key encryption (2 parts, not seeded) at {@code level}. */
  public static byte[] ciphertext(int level) {
    Fixture f = Fixture.tiny();
    return HeFormat.write(f.encryptor().encrypt(
        f.encoder().encode(f.values(level), level, f.params().defaultScale())));
  }

  /** A seeded symmetric encryption at {@code level}. */
  public static byte[] seededCiphertext(int level) {
    Fixture f = Fixture.tiny();
    return HeFormat.write(f.symmetric().encrypt(
        f.encoder().encode(f.values(level + 7), level, f.params().defaultScale())));
  }

  public static byte[] relinearizationKey() {
    Fixture f = Fixture.tiny();
    return HeFormat.write(keys().generateRelinearizationKey(f.secretKey()));
  }

  public static byte[] galoisKey(int element) {
    return HeFormat.write(keys().generateGaloisKey(Fixture.tiny().secretKey(), element));
  }

  private static KeyGenerator keys() {
    return new KeyGenerator(Fixture.tiny().context().rlwe(), SeedSource.deterministicForTestsOnly(11));
  }
}
