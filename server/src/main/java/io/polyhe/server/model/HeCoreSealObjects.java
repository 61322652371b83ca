package io.polyhe.server.model;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;

/**
 * {@link SealObjects} on he-core. NOT DONE: he-core's SEAL profile and SEAL serialisation (issue 19
 * parts 1 and 2, branch sealcore) have not landed on this branch yet; until they do every call
 * throws {@link IllegalStateException}, so {@code serve --format seal} fails at start-up with that
 * message instead of serving anything.
 */
final class HeCoreSealObjects implements SealObjects {
  private static IllegalStateException missing() {
    return new IllegalStateException("the SEAL profile is not in this build's he-core yet (issue 19 parts 1-2)");
  }

  @Override
  public CkksParameters parameters(CkksParameters.Literal literal) {
    throw missing();
  }

  @Override
  public byte[] writeEncryptionParameters(CkksParameters params) {
    throw missing();
  }

  @Override
  public RelinearizationKey readRelinKeys(byte[] bytes, CkksContext context) {
    throw missing();
  }

  @Override
  public GaloisKey readGaloisKey(byte[] bytes, CkksContext context) {
    throw missing();
  }

  @Override
  public Ciphertext readCiphertext(byte[] bytes, CkksContext context) {
    throw missing();
  }

  @Override
  public byte[] writeCiphertext(Ciphertext ct) {
    throw missing();
  }
}
