package io.polyhe.proto;

import com.google.protobuf.ByteString;
import io.polyhe.proto.v1.CiphertextChunk;
import java.util.function.Consumer;

/**
 * The protocol's one chunking rule, for every sender (client and server): a serialised key or
 * ciphertext travels as consecutive chunks of at most {@link #MAX_BYTES} data bytes, in order, and
 * the first {@code CiphertextChunk} of a ciphertext carries its total size. Receivers refuse larger
 * chunks, so this constant is part of the contract of {@code polyhe.v1}. Stateless; thread-safe.
 */
public final class Chunks {
  /** Most data bytes in one chunk (1 MiB): a chunk and its message stay far below gRPC's 4 MiB. */
  public static final int MAX_BYTES = 1 << 20;

  private Chunks() {}

  /**
   * Hands {@code bytes} to {@code sink} as consecutive slices of at most {@link #MAX_BYTES} bytes,
   * in order; nothing for an empty array. Each slice is a copy, so {@code bytes} may change after.
   */
  public static void split(byte[] bytes, Consumer<ByteString> sink) {
    for (int off = 0; off < bytes.length; off += MAX_BYTES) {
      sink.accept(slice(bytes, off));
    }
  }

  /** As {@link #split}, as ciphertext chunks: the first carries {@code total_bytes}, the rest 0. */
  public static void ciphertext(byte[] bytes, Consumer<CiphertextChunk> sink) {
    for (int off = 0; off < bytes.length; off += MAX_BYTES) {
      sink.accept(CiphertextChunk.newBuilder().setTotalBytes(off == 0 ? bytes.length : 0).setData(slice(bytes, off))
          .build());
    }
  }

  private static ByteString slice(byte[] bytes, int off) {
    return ByteString.copyFrom(bytes, off, Math.min(MAX_BYTES, bytes.length - off));
  }
}
