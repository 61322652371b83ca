package io.polyhe.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The receive buffer: what {@link Chunks#split} sends comes back whole; every malformed stream is refused. */
class ChunkBufferTest {
  @Test
  void reassemblesWhatChunksSplits() {
    byte[] object = new byte[2 * Chunks.MAX_BYTES + 17];
    new Random(7).nextBytes(object);
    ChunkBuffer buffer = new ChunkBuffer("logits", object.length, object.length);
    boolean[] done = new boolean[1];
    Chunks.split(object, chunk -> done[0] = buffer.add(chunk));
    assertTrue(done[0]);
    assertArrayEquals(object, buffer.bytes());
  }

  @Test
  void refusesMalformedStreams() {
    assertThrows(IllegalArgumentException.class, () -> new ChunkBuffer("logits", 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new ChunkBuffer("logits", 11, 10));
    assertThrows(IllegalArgumentException.class, () -> new ChunkBuffer("logits", 1L << 31, Long.MAX_VALUE));
    ChunkBuffer b = new ChunkBuffer("logits", 4, 10);
    assertThrows(IllegalArgumentException.class, () -> b.add(ByteString.EMPTY));
    assertThrows(IllegalArgumentException.class, () -> b.add(ByteString.copyFrom(new byte[Chunks.MAX_BYTES + 1])));
    assertFalse(b.add(ByteString.copyFrom(new byte[] {1, 2, 3})));
    assertThrows(IllegalStateException.class, b::bytes, "incomplete");
    assertThrows(IllegalArgumentException.class, () -> b.add(ByteString.copyFrom(new byte[] {4, 5})));
    assertTrue(b.add(ByteString.copyFrom(new byte[] {4})));
    assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOf(b.bytes(), 4));
  }
}
