package io.polyhe.proto;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * The receiving side of {@link Chunks}: collects the chunks of one object whose size the sender
 * declared, for client and server alike. Refuses chunks over {@link Chunks#MAX_BYTES}, empty
 * chunks and bytes beyond the declared size, each with an {@link IllegalArgumentException} naming
 * the object; the caller bounds the declared size before making one.
 *
 * <p>Memory follows the bytes that arrived, not the declared size: the array starts at the first
 * chunk's size and doubles (capped at the declared size), so a sender that declares a large object
 * and sends one byte costs one byte, not the whole object (found by fuzzing the server). At most
 * about twice the bytes received are ever allocated. Not thread-safe.
 */
public final class ChunkBuffer {
  private final String what;
  private final int declared;
  private byte[] bytes = new byte[0];
  private int filled;

  /**
   * @param what the object, for messages ("logits", "key 3")
   * @param declared its size in bytes
   * @param max the largest size the receiver accepts (at most {@link Integer#MAX_VALUE} is ever held)
   * @throws IllegalArgumentException if {@code declared} is below 1 or above {@code max}
   */
  public ChunkBuffer(String what, long declared, long max) {
    if (declared < 1 || declared > Math.min(max, Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(what + " declares " + declared + " bytes (at most "
          + Math.min(max, Integer.MAX_VALUE) + ")");
    }
    this.what = what;
    this.declared = (int) declared;
  }

  /**
   * Appends one chunk.
   *
   * @return true once the object is complete
   * @throws IllegalArgumentException for an empty or oversized chunk, or bytes past the declared size
   */
  public boolean add(ByteString data) {
    if (data.size() > Chunks.MAX_BYTES) {
      throw new IllegalArgumentException(what + " chunk of " + data.size() + " bytes exceeds " + Chunks.MAX_BYTES);
    }
    if (data.isEmpty()) {
      throw new IllegalArgumentException(what + " chunk is empty");
    }
    if ((long) filled + data.size() > declared) {
      throw new IllegalArgumentException(what + " has more bytes than the " + declared + " declared");
    }
    int need = filled + data.size();
    if (need > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(declared, Math.max(need, 2L * bytes.length)));
    }
    data.copyTo(bytes, filled);
    filled = need;
    return complete();
  }

  /** True once every declared byte has arrived. */
  public boolean complete() {
    return filled == declared;
  }

  /**
   * The object's bytes.
   *
   * @throws IllegalStateException if it is not complete
   */
  public byte[] bytes() {
    if (!complete()) {
      throw new IllegalStateException(what + " is incomplete: " + filled + " of " + declared + " bytes");
    }
    return bytes;
  }
}
