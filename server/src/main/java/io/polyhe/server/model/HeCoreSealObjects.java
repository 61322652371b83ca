package io.polyhe.server.model;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.he.io.seal.ComprMode;
import io.polyhe.he.io.seal.SealFormat;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import java.util.List;

/**
 * {@link SealObjects} on he-core's {@link SealFormat} (SEAL-profile contexts). Ciphertexts go out
 * uncompressed: SEAL reads every mode, and zstd would cost the server time on every refresh
 * request for a third of the bytes.
 */
final class HeCoreSealObjects implements SealObjects {
  @Override
  public byte[] writeEncryptionParameters(CkksParameters params) {
    return SealFormat.writeParameters(params.rlwe(), ComprMode.NONE);
  }

  @Override
  public RelinearizationKey readRelinKeys(byte[] bytes, CkksContext context) {
    return SealFormat.readRelinKeys(context.rlwe(), bytes);
  }

  @Override
  public GaloisKey readGaloisKey(byte[] bytes, CkksContext context) {
    List<GaloisKey> keys = SealFormat.readGaloisKeys(context.rlwe(), bytes, 1);
    if (keys.size() != 1) {
      throw new HeFormatException("GaloisKeys holds " + keys.size() + " keys; one upload entry carries exactly one");
    }
    return keys.getFirst();
  }

  @Override
  public Ciphertext readCiphertext(byte[] bytes, CkksContext context) {
    return SealFormat.readCiphertext(context.rlwe(), bytes);
  }

  @Override
  public byte[] writeCiphertext(Ciphertext ct) {
    return SealFormat.writeCiphertext(ct, ComprMode.NONE);
  }
}
