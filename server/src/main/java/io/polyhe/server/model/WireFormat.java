package io.polyhe.server.model;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.proto.v1.CiphertextFormat;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.forward.Transformer;
import java.io.IOException;
import java.io.InputStream;

/**
 * How the HE objects of a served model travel and which CKKS profile it is compiled for: polyhe's
 * own binary format and profile ({@link #POLYHE}, the default), or Microsoft SEAL 4.x serialisation
 * under SEAL's profile ({@code polyhe serve --format seal}). One format per server, as the refresh
 * mode. Every reader validates completely (header, parameters, sizes bounded before allocation,
 * every coefficient) and throws an {@link IllegalArgumentException} (he-core's {@code
 * HeFormatException} among them) naming what is wrong, which the service maps to INVALID_ARGUMENT.
 * Implementations are stateless and thread-safe.
 */
public interface WireFormat {
  /** polyhe's own format and profile. */
  WireFormat POLYHE = new PolyheWire();

  /**
   * The format named by {@code polyhe serve --format NAME}: {@code polyhe} or {@code seal}.
   *
   * @throws IllegalArgumentException for another name
   */
  static WireFormat of(String name) {
    return switch (name) {
      case "polyhe" -> POLYHE;
      case "seal" -> new SealWire();
      default -> throw new IllegalArgumentException("unknown format '" + name + "': polyhe or seal");
    };
  }

  /** {@code polyhe} or {@code seal}: the value of {@code --format}. */
  String name();

  /** The manifest's {@code ciphertext_format}. */
  CiphertextFormat manifestValue();

  /**
   * {@code model} compiled for parameters of this format's profile (client-aided refresh), chosen
   * as {@code LevelPlanner.choose} does.
   */
  EncryptedTransformer compile(Transformer model);

  /** Adds what a client of this format reads to the manifest (e.g. SEAL's EncryptionParameters bytes). */
  void describe(CkksParameters params, ModelManifest.Builder manifest);

  /** Smallest and largest serialised size of one uploaded key (relinearisation or Galois) of {@code params}. */
  long minKeyBytes(CkksParameters params);

  long maxKeyBytes(CkksParameters params);

  /** Smallest and largest serialised size of a fresh 2-part ciphertext at {@code level} (input, refresh answer). */
  long minCiphertextBytes(CkksParameters params, int level);

  long maxCiphertextBytes(CkksParameters params, int level);

  RelinearizationKey readRelinearizationKey(byte[] bytes, CkksContext context);

  GaloisKey readGaloisKey(byte[] bytes, CkksContext context);

  /** Reads the next relinearisation key of a session's key file (the bytes uploaded, as they came). */
  RelinearizationKey readRelinearizationKey(InputStream in, CkksContext context) throws IOException;

  /** Reads the next Galois key of a session's key file. */
  GaloisKey readGaloisKey(InputStream in, CkksContext context) throws IOException;

  Ciphertext readCiphertext(byte[] bytes, CkksContext context);

  /** Serialises a ciphertext for a client (refresh requests, logits). */
  byte[] write(Ciphertext ct);
}
