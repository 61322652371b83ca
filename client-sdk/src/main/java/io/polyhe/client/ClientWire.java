package io.polyhe.client;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.io.seal.ComprMode;
import io.polyhe.he.io.seal.SealFormat;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.proto.v1.CiphertextFormat;
import io.polyhe.proto.v1.ModelManifest;
import java.util.List;

/**
 * How this SDK's HE objects travel for one model, as its manifest's {@code ciphertext_format}
 * says: polyhe's binary format ({@link #POLYHE}, also for servers that predate the field) or
 * Microsoft SEAL 4.x serialisation under SEAL's CKKS profile ({@link #SEAL}, for a server started
 * with {@code --format seal}). Readers validate completely (he-core's {@link HeFormat} and {@link
 * SealFormat}). Stateless.
 */
enum ClientWire {
  /** polyhe's binary format: seeded keys and ciphertexts of fixed sizes. */
  POLYHE {
    @Override
    CkksParameters parameters(ModelManifest m, boolean insecure) {
      byte[] encoded = m.getParameters().getEncoded().toByteArray();
      return insecure ? HeFormat.readParametersInsecureForTestsOnly(encoded) : HeFormat.readParameters(encoded);
    }

    @Override
    byte[] write(Ciphertext ct) {
      return HeFormat.write(ct);
    }

    @Override
    Ciphertext read(byte[] bytes, CkksContext context) {
      return HeFormat.readCiphertext(bytes, context);
    }

    @Override
    byte[] write(RelinearizationKey key) {
      return HeFormat.write(key);
    }

    @Override
    byte[] write(GaloisKey key) {
      return HeFormat.write(key);
    }

    @Override
    long maxCiphertextBytes(CkksParameters p) {
      return HeFormat.ciphertextSize(p.rlwe(), p.maxLevel(), 3, false);
    }
  },

  /**
   * SEAL's: the parameters are the manifest's {@code seal_parameters} (SEAL's EncryptionParameters,
   * read into he-core's SEAL profile) at the manifest's default scale; keys are a {@code RelinKeys}
   * and one {@code GaloisKeys} per element, uncompressed (their sizes are then known before they
   * are made, as the upload header needs); ciphertexts are written uncompressed.
   */
  SEAL {
    @Override
    CkksParameters parameters(ModelManifest m, boolean insecure) {
      byte[] bytes = m.getParameters().getSealParameters().toByteArray();
      if (bytes.length == 0) {
        throw new IllegalArgumentException("manifest says CIPHERTEXT_FORMAT_SEAL but carries no seal_parameters");
      }
      RlweParameters rlwe = insecure ? SealFormat.readParametersInsecureForTestsOnly(bytes)
          : SealFormat.readParameters(bytes);
      int logScale = m.getParameters().getLogDefaultScale();
      if (logScale < 1 || logScale > 62) {
        throw new IllegalArgumentException("manifest's log_default_scale " + logScale + " is outside [1, 62]");
      }
      return CkksParameters.of(rlwe, Math.scalb(1.0, logScale));
    }

    @Override
    byte[] write(Ciphertext ct) {
      return SealFormat.writeCiphertext(ct, ComprMode.NONE);
    }

    @Override
    Ciphertext read(byte[] bytes, CkksContext context) {
      return SealFormat.readCiphertext(context.rlwe(), bytes);
    }

    @Override
    byte[] write(RelinearizationKey key) {
      return SealFormat.writeRelinKeys(key, ComprMode.NONE);
    }

    @Override
    byte[] write(GaloisKey key) {
      return SealFormat.writeGaloisKeys(List.of(key), ComprMode.NONE);
    }

    @Override
    long maxCiphertextBytes(CkksParameters p) {
      return 3L * (p.maxLevel() + 1) * p.n() * Long.BYTES + 4096;
    }
  };

  /** The format the manifest names. */
  static ClientWire of(ModelManifest m) {
    return m.getCiphertextFormat() == CiphertextFormat.CIPHERTEXT_FORMAT_SEAL ? SEAL : POLYHE;
  }

  /** The manifest's parameters, security-checked unless {@code insecure} (tests that opted in). */
  abstract CkksParameters parameters(ModelManifest m, boolean insecure);

  abstract byte[] write(Ciphertext ct);

  abstract Ciphertext read(byte[] bytes, CkksContext context);

  abstract byte[] write(RelinearizationKey key);

  abstract byte[] write(GaloisKey key);

  /** Most bytes a ciphertext from the server may declare. */
  abstract long maxCiphertextBytes(CkksParameters p);
}
