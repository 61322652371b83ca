package io.polyhe.server.service;

import com.google.protobuf.ByteString;

/**
 * Collects the chunks of one serialised object of a size known in advance: refuses chunks over
 * {@link #MAX_CHUNK} bytes, a size other than the expected one, and bytes beyond it. Not
 * thread-safe.
 */
final class ChunkAssembler {
  /** Largest data field of one chunk (the protocol's limit; gRPC messages stay under 4 MiB). */
  static final int MAX_CHUNK = 1 << 20;

  private final String what;
  private final byte[] bytes;
  private int filled;

  /**
   * @param declared the size the sender announced
   * @param allowed sizes it may be (e.g. the seeded and the full form at the expected level)
   * @throws ServiceException INVALID_ARGUMENT if {@code declared} is not allowed
   */
  ChunkAssembler(String what, long declared, long... allowed) {
    boolean ok = false;
    for (long a : allowed) {
      ok |= a == declared;
    }
    if (!ok) {
      throw ServiceException.invalid(what + " declares " + declared + " bytes; expected "
          + java.util.Arrays.toString(allowed) + " for the model's parameters and level");
    }
    this.what = what;
    this.bytes = new byte[Math.toIntExact(declared)];
  }

  /** Appends a chunk; true once the object is complete. */
  boolean add(ByteString data) {
    if (data.size() > MAX_CHUNK) {
      throw ServiceException.invalid(what + " chunk of " + data.size() + " bytes exceeds " + MAX_CHUNK);
    }
    if (data.isEmpty()) {
      throw ServiceException.invalid(what + " chunk is empty");
    }
    if ((long) filled + data.size() > bytes.length) {
      throw ServiceException.invalid(what + " has more bytes than the " + bytes.length + " declared");
    }
    data.copyTo(bytes, filled);
    filled += data.size();
    return filled == bytes.length;
  }

  boolean complete() {
    return filled == bytes.length;
  }

  byte[] bytes() {
    if (!complete()) {
      throw new IllegalStateException("incomplete");
    }
    return bytes;
  }
}
