package io.polyhe.server.model;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.io.HeFormatException;
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
import java.util.Arrays;

/**
 * Microsoft SEAL 4.x on the wire ({@code polyhe serve --format seal}): models are compiled for
 * he-core's SEAL-compatible CKKS profile ({@link LevelPlanner#SEAL_PROFILE}: one special prime,
 * one ciphertext prime per key-switching digit; SEAL's rotation elements and slot order), the
 * manifest carries SEAL's own {@code EncryptionParameters} bytes, and keys and ciphertexts are SEAL
 * objects (compression none or zstd; seeded keys and symmetric ciphertexts), read and written by
 * he-core's SEAL serialisation ({@link SealObjects}). Sizes are bounded by the largest uncompressed,
 * unseeded object of the parameters (plus zstd's worst-case expansion) before anything is buffered.
 * Stateless.
 */
final class SealWire implements WireFormat {
  /** Bytes of SEAL's {@code SEALHeader}: magic, header size, version, compression, reserved, total size. */
  static final int HEADER_BYTES = 16;
  /** Room for the fields around the polynomials of one SEAL object (parms_id, counts, scale, ...). */
  private static final long FIELD_SLACK = 4096;

  private final SealObjects seal = SealObjects.get();

  @Override
  public String name() {
    return "seal";
  }

  @Override
  public CiphertextFormat manifestValue() {
    return CiphertextFormat.CIPHERTEXT_FORMAT_SEAL;
  }

  @Override
  public EncryptedTransformer compile(Transformer model) {
    return LevelPlanner.choose(model, LevelPlanner.SEAL_PROFILE);
  }

  @Override
  public void describe(CkksParameters params, ModelManifest.Builder manifest) {
    // SEAL's bytes are the one authority for the parameters here; polyhe's own encoding is left out.
    manifest.getParametersBuilder().clearEncoded().setSealParameters(com.google.protobuf.ByteString.copyFrom(
        seal.writeEncryptionParameters(params)));
  }

  @Override
  public long minKeyBytes(CkksParameters params) {
    return HEADER_BYTES + 1;
  }

  /**
   * A GaloisKeys object with one key, unseeded and uncompressed: SEAL's table of N slots (one count
   * each), the (L+1) digits of two polynomials over the L+2 primes, and zstd's expansion bound.
   */
  @Override
  public long maxKeyBytes(CkksParameters params) {
    long n = params.n();
    long primes = params.rlwe().qCount() + params.rlwe().pCount();
    long digits = params.rlwe().qCount();
    long raw = HEADER_BYTES + n * Long.BYTES + digits * (2 * primes * n * Long.BYTES + FIELD_SLACK) + FIELD_SLACK;
    return withZstdExpansion(raw);
  }

  @Override
  public long minCiphertextBytes(CkksParameters params, int level) {
    return HEADER_BYTES + 1;
  }

  @Override
  public long maxCiphertextBytes(CkksParameters params, int level) {
    return withZstdExpansion(HEADER_BYTES + 2L * (level + 1) * params.n() * Long.BYTES + FIELD_SLACK);
  }

  // zstd's worst case (ZSTD_compressBound): the input plus 1/256 of it plus a little.
  private static long withZstdExpansion(long raw) {
    return raw + (raw >> 8) + 512;
  }

  @Override
  public RelinearizationKey readRelinearizationKey(byte[] bytes, CkksContext context) {
    return seal.readRelinKeys(bytes, context);
  }

  @Override
  public GaloisKey readGaloisKey(byte[] bytes, CkksContext context) {
    return seal.readGaloisKey(bytes, context);
  }

  @Override
  public RelinearizationKey readRelinearizationKey(InputStream in, CkksContext context) throws IOException {
    return seal.readRelinKeys(next(in, maxKeyBytes(context.parameters())), context);
  }

  @Override
  public GaloisKey readGaloisKey(InputStream in, CkksContext context) throws IOException {
    return seal.readGaloisKey(next(in, maxKeyBytes(context.parameters())), context);
  }

  /**
   * The next SEAL object of a stream of them (a session's key file): its header's total size,
   * bounded by {@code max} before anything is allocated, then the rest of it.
   */
  static byte[] next(InputStream in, long max) throws IOException {
    byte[] header = in.readNBytes(HEADER_BYTES);
    if (header.length < HEADER_BYTES) {
      throw new HeFormatException("SEAL object cut short in its header");
    }
    if ((header[0] & 0xff) != 0x5E || (header[1] & 0xff) != 0xA1) {
      throw new HeFormatException("not a SEAL object (no SEALHeader magic)");
    }
    long size = 0;
    for (int i = 15; i >= 8; i--) {
      size = size << 8 | (header[i] & 0xff);
    }
    if (size < HEADER_BYTES || size > max) {
      throw new HeFormatException("SEAL object declares " + Long.toUnsignedString(size) + " bytes; at most " + max);
    }
    byte[] all = Arrays.copyOf(header, (int) size);
    int got = in.readNBytes(all, HEADER_BYTES, (int) size - HEADER_BYTES);
    if (got != size - HEADER_BYTES) {
      throw new HeFormatException("SEAL object cut short: " + (HEADER_BYTES + got) + " of " + size + " bytes");
    }
    return all;
  }

  @Override
  public Ciphertext readCiphertext(byte[] bytes, CkksContext context) {
    return seal.readCiphertext(bytes, context);
  }

  @Override
  public byte[] write(Ciphertext ct) {
    return seal.writeCiphertext(ct);
  }

  @Override
  public String toString() {
    return "seal";
  }
}
