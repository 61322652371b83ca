package io.polyhe.server.service;

import com.google.protobuf.ByteString;
import io.polyhe.proto.ChunkBuffer;
import io.polyhe.proto.Chunks;
import java.util.Arrays;

/**
 * Collects the chunks of one serialised object of a size known in advance: refuses a declared size
 * over the server's decoded-object limit and more chunks than its chunk limit (both
 * RESOURCE_EXHAUSTED), chunks over {@link #MAX_CHUNK} bytes, a size other than the expected one,
 * and bytes beyond it (INVALID_ARGUMENT). The bytes go into a {@link ChunkBuffer}, the protocol's
 * one receive buffer, whose memory follows the bytes that arrived. Not thread-safe.
 */
final class ChunkAssembler {
  /** Largest data field of one chunk: the protocol's, {@link Chunks#MAX_BYTES}. */
  static final int MAX_CHUNK = Chunks.MAX_BYTES;

  /**
   * The server's limits on one object.
   *
   * @param maxChunks chunks it may arrive in
   * @param maxBytes largest declared (serialised) size buffered and decoded
   */
  record Limits(int maxChunks, long maxBytes) {
    static final Limits NONE = new Limits(Integer.MAX_VALUE, Long.MAX_VALUE);

    /** RESOURCE_EXHAUSTED if an object of {@code declared} bytes is over {@link #maxBytes}. */
    void checkSize(String what, long declared) {
      if (declared > maxBytes) {
        throw ServiceException.exhausted(what + " declares " + Long.toUnsignedString(declared)
            + " bytes, over the server's limit of " + maxBytes + " bytes per decoded object");
      }
    }
  }

  private final String what;
  private final ChunkBuffer buffer;
  private final Limits limits;
  private int chunks;

  /**
   * @param declared the size the sender announced
   * @param allowed sizes it may be (e.g. the seeded and the full form at the expected level)
   * @throws ServiceException RESOURCE_EXHAUSTED if {@code declared} is over the limit,
   *     INVALID_ARGUMENT if it is not allowed
   */
  ChunkAssembler(String what, long declared, Limits limits, long... allowed) {
    this(what, declared, limits, check(what, declared, limits, allowed));
  }

  private ChunkAssembler(String what, long declared, Limits limits, boolean checked) {
    this.what = what;
    this.limits = limits;
    try {
      this.buffer = new ChunkBuffer(what, declared, limits.maxBytes());
    } catch (IllegalArgumentException e) {
      throw ServiceException.invalid(e.getMessage());
    }
  }

  /**
   * An object of any size in {@code [min, max]} (a format whose objects may be compressed).
   *
   * @throws ServiceException RESOURCE_EXHAUSTED if {@code declared} is over the limit,
   *     INVALID_ARGUMENT if it is outside the range
   */
  static ChunkAssembler inRange(String what, long declared, Limits limits, long min, long max) {
    limits.checkSize(what, declared);
    if (declared < min || declared > max) {
      throw ServiceException.invalid(what + " declares " + declared + " bytes; expected " + min + " to " + max
          + " for the model's parameters and level");
    }
    return new ChunkAssembler(what, declared, limits, true);
  }

  private static boolean check(String what, long declared, Limits limits, long[] allowed) {
    limits.checkSize(what, declared);
    boolean ok = false;
    for (long a : allowed) {
      ok |= a == declared;
    }
    if (!ok) {
      throw ServiceException.invalid(what + " declares " + declared + " bytes; expected "
          + Arrays.toString(allowed) + " for the model's parameters and level");
    }
    return true;
  }

  /** Appends a chunk; true once the object is complete. */
  boolean add(ByteString data) {
    // The chunk count first: a flood of tiny chunks is the server's resource, not the object's shape.
    if (++chunks > limits.maxChunks()) {
      throw ServiceException.exhausted(what + " arrives in more than the server's limit of " + limits.maxChunks()
          + " chunks per object; send chunks of up to " + MAX_CHUNK + " bytes");
    }
    try {
      return buffer.add(data);
    } catch (IllegalArgumentException e) {
      throw ServiceException.invalid(e.getMessage());
    }
  }

  boolean complete() {
    return buffer.complete();
  }

  byte[] bytes() {
    return buffer.bytes();
  }
}
