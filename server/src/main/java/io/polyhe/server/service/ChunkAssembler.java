package io.polyhe.server.service;

import com.google.protobuf.ByteString;
import io.polyhe.proto.Chunks;
import java.util.Arrays;

/**
 * Collects the chunks of one serialised object of a size known in advance: refuses a declared size
 * over the server's decoded-object limit and more chunks than its chunk limit (both
 * RESOURCE_EXHAUSTED), chunks over {@link #MAX_CHUNK} bytes, a size other than the expected one,
 * and bytes beyond it (INVALID_ARGUMENT). Not thread-safe.
 *
 * <p>Memory follows the bytes that arrived, not the declared size: the buffer starts at the first
 * chunk's size and doubles (capped at the declared size), so a sender that declares a large object
 * and sends one byte costs one byte, not the whole object (found by fuzzing). At most about twice
 * the bytes received are ever allocated, plus the final array.
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
  private final int declared;
  private byte[] bytes = new byte[0];
  private final Limits limits;
  private int filled;
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
    this.declared = Math.toIntExact(declared);
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
    if (data.size() > MAX_CHUNK) {
      throw ServiceException.invalid(what + " chunk of " + data.size() + " bytes exceeds " + MAX_CHUNK);
    }
    if (data.isEmpty()) {
      throw ServiceException.invalid(what + " chunk is empty");
    }
    if (++chunks > limits.maxChunks()) {
      throw ServiceException.exhausted(what + " arrives in more than the server's limit of " + limits.maxChunks()
          + " chunks per object; send chunks of up to " + MAX_CHUNK + " bytes");
    }
    if ((long) filled + data.size() > declared) {
      throw ServiceException.invalid(what + " has more bytes than the " + declared + " declared");
    }
    int need = filled + data.size();
    if (need > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(declared, Math.max(need, 2L * bytes.length)));
    }
    data.copyTo(bytes, filled);
    filled = need;
    return filled == declared;
  }

  boolean complete() {
    return filled == declared;
  }

  byte[] bytes() {
    if (!complete()) {
      throw new IllegalStateException("incomplete");
    }
    return bytes;
  }
}
