package io.polyhe.server.service;

import com.google.protobuf.ByteString;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.server.model.WireFormat;

/**
 * One ciphertext a client sends in chunks (the Infer input, or the answer to a refresh request),
 * from its first chunk to the validated object: the declared size must be that of a 2-part
 * ciphertext, seeded or not, at the expected level; he-core's reader checks the bytes; the result
 * must then have 2 parts, the expected level and the expected scale (relative tolerance 1e-9).
 * Every failure is a {@link ServiceException} (INVALID_ARGUMENT) or a {@link
 * io.polyhe.he.io.HeFormatException}, which {@link ErrorMapper} also maps to INVALID_ARGUMENT.
 * Kept apart from the service so the decoding can be fuzzed on its own. Not thread-safe.
 */
final class IncomingCiphertext {
  private final String what;
  private final CkksContext context;
  private final int level;
  private final double scale;
  private final ChunkAssembler chunks;
  private final WireFormat format;
  private final long declared;

  /**
   * @param declared the size announced by the first chunk
   * @param limits the server's limits on one object (chunks, decoded bytes)
   * @throws ServiceException if {@code declared} is over the limits (RESOURCE_EXHAUSTED) or not a
   *     fresh ciphertext's size at {@code level} (INVALID_ARGUMENT)
   */
  IncomingCiphertext(String what, CkksContext context, long declared, int level, double scale,
      ChunkAssembler.Limits limits) {
    this(what, context, declared, level, scale, limits, WireFormat.POLYHE);
  }

  /** As above, for a ciphertext in {@code format}. */
  IncomingCiphertext(String what, CkksContext context, long declared, int level, double scale,
      ChunkAssembler.Limits limits, WireFormat format) {
    this.what = what;
    this.context = context;
    this.level = level;
    this.scale = scale;
    this.format = format;
    this.declared = declared;
    long min = format.minCiphertextBytes(context.parameters(), level);
    long max = format.maxCiphertextBytes(context.parameters(), level);
    this.chunks = format == WireFormat.POLYHE ? new ChunkAssembler(what, declared, limits, min, max)
        : ChunkAssembler.inRange(what, declared, limits, min, max);
  }

  /** The declared (serialised) size. */
  long bytes() {
    return declared;
  }

  /** Adds a chunk; returns the checked ciphertext once the last one arrived, null before. */
  Ciphertext add(ByteString data) {
    if (!chunks.add(data)) {
      return null;
    }
    Ciphertext ct = format.readCiphertext(chunks.bytes(), context);
    if (ct.size() != 2) {
      throw ServiceException.invalid(what + " must be a 2-part ciphertext, got " + ct.size() + " parts");
    }
    if (ct.level() != level) {
      throw ServiceException.invalid(what + " is at level " + ct.level() + "; expected " + level);
    }
    if (Math.abs(ct.scale() / scale - 1) > 1e-9) {
      throw ServiceException.invalid(what + " has scale 2^" + String.format("%.3f", Math.log(ct.scale()) / Math.log(2))
          + "; expected 2^" + String.format("%.3f", Math.log(scale) / Math.log(2)));
    }
    return ct;
  }
}
