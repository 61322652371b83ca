package io.polyhe.server.model;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.Transformer;
import io.polyhe.proto.v1.CiphertextFormat;
import io.polyhe.proto.v1.ModelManifest;
import java.io.IOException;
import java.io.InputStream;

/**
 * polyhe's own binary format (he-core's {@link HeFormat}) and CKKS profile: keys are seeded and of
 * one exact size; ciphertexts are seeded or full, of the exact size of their level. Stateless.
 */
final class PolyheWire implements WireFormat {
  @Override
  public String name() {
    return "polyhe";
  }

  @Override
  public CiphertextFormat manifestValue() {
    return CiphertextFormat.CIPHERTEXT_FORMAT_POLYHE;
  }

  @Override
  public EncryptedTransformer compile(Transformer model) {
    return LevelPlanner.choose(model);
  }

  @Override
  public void describe(CkksParameters params, ModelManifest.Builder manifest) {
    // parameters.encoded says it all.
  }

  @Override
  public long minKeyBytes(CkksParameters params) {
    return HeFormat.switchingKeySize(params.rlwe());
  }

  @Override
  public long maxKeyBytes(CkksParameters params) {
    return HeFormat.switchingKeySize(params.rlwe());
  }

  @Override
  public long minCiphertextBytes(CkksParameters params, int level) {
    return HeFormat.ciphertextSize(params.rlwe(), level, 2, true);
  }

  @Override
  public long maxCiphertextBytes(CkksParameters params, int level) {
    return HeFormat.ciphertextSize(params.rlwe(), level, 2, false);
  }

  @Override
  public RelinearizationKey readRelinearizationKey(byte[] bytes, CkksContext context) {
    return HeFormat.readRelinearizationKey(bytes, context);
  }

  @Override
  public GaloisKey readGaloisKey(byte[] bytes, CkksContext context) {
    return HeFormat.readGaloisKey(bytes, context);
  }

  @Override
  public RelinearizationKey readRelinearizationKey(InputStream in, CkksContext context) throws IOException {
    return HeFormat.readRelinearizationKey(in, context);
  }

  @Override
  public GaloisKey readGaloisKey(InputStream in, CkksContext context) throws IOException {
    return HeFormat.readGaloisKey(in, context);
  }

  @Override
  public Ciphertext readCiphertext(byte[] bytes, CkksContext context) {
    return HeFormat.readCiphertext(bytes, context);
  }

  @Override
  public byte[] write(Ciphertext ct) {
    return HeFormat.write(ct);
  }

  @Override
  public String toString() {
    return "polyhe";
  }
}
