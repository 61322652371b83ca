package io.polyhe.server.model;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;

/**
 * The server's thin adapter onto he-core's SEAL-compatible profile and SEAL 4.x serialisation: the
 * handful of calls {@link SealWire} makes, in one place, so that the service does not spread
 * he-core's SEAL API over its classes. Every reader validates the object completely against {@code
 * context} (SEALHeader, compression mode, parms_id, sizes bounded before allocation, every
 * coefficient below its prime) and throws an {@link IllegalArgumentException} naming what is wrong.
 */
interface SealObjects {
  /** he-core's implementation. */
  static SealObjects get() {
    return new HeCoreSealObjects();
  }

  /** SEAL's {@code EncryptionParameters} bytes of {@code params} (uncompressed). */
  byte[] writeEncryptionParameters(CkksParameters params);

  RelinearizationKey readRelinKeys(byte[] bytes, CkksContext context);

  /** A SEAL {@code GaloisKeys} object that must hold exactly one key. */
  GaloisKey readGaloisKey(byte[] bytes, CkksContext context);

  Ciphertext readCiphertext(byte[] bytes, CkksContext context);

  /** SEAL bytes of {@code ct} (uncompressed: the client's SEAL reads any mode). */
  byte[] writeCiphertext(Ciphertext ct);
}
