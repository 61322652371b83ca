package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One object from its chunks: assembled from chunks of any size, memory following the bytes that
 * arrived, refusals of other sizes and excess bytes; and the chunk-count and decoded-size limits:
 * exactly at the limit passes, one past is refused.
 */
class ChunkAssemblerTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final ChunkAssembler.Limits NONE = ChunkAssembler.Limits.NONE;

  @Test
  void chunkCountHoldsExactlyAtTheLimitAndRefusesOnePast() {
    var limits = new ChunkAssembler.Limits(4, 1 << 20);
    ChunkAssembler atLimit = new ChunkAssembler("input", 8, limits, 8);
    for (int i = 0; i < 3; i++) {
      assertFalse(atLimit.add(ByteString.copyFrom(new byte[2])));
    }
    assertTrue(atLimit.add(ByteString.copyFrom(new byte[2])), "complete in exactly 4 chunks");

    ChunkAssembler past = new ChunkAssembler("input", 8, limits, 8);
    for (int i = 0; i < 4; i++) {
      past.add(ByteString.copyFrom(new byte[1]));
    }
    ServiceException e = assertThrows(ServiceException.class, () -> past.add(ByteString.copyFrom(new byte[1])));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertTrue(e.getMessage().contains("limit of 4 chunks"), e.getMessage());
  }

  @Test
  void decodedSizeHoldsExactlyAtTheLimitAndRefusesOnePastBeforeAllocating() {
    var limits = new ChunkAssembler.Limits(100, 1000);
    assertTrue(new ChunkAssembler("key", 1000, limits, 1000).add(ByteString.copyFrom(new byte[1000])));
    ServiceException e = assertThrows(ServiceException.class, () -> new ChunkAssembler("key", 1001, limits, 1001));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertTrue(e.getMessage().contains("limit of 1000 bytes"), e.getMessage());
    // A declared size of petabytes is refused from its number alone.
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, assertThrows(ServiceException.class,
        () -> new ChunkAssembler("key", 1L << 50, limits, 1L << 50)).code());
  }

  @Test
  void assemblesChunksOfAnySizeIntoTheDeclaredObject() {
    byte[] object = new byte[100_000];
    new Random(1).nextBytes(object);
    ChunkAssembler a = new ChunkAssembler("x", object.length, NONE, 17, object.length);
    int[] sizes = {1, 2, 3, 4_000, 50_000, 45_994};
    int off = 0;
    for (int s : sizes) {
      boolean done = a.add(ByteString.copyFrom(object, off, s));
      off += s;
      assertTrue(done == (off == object.length));
    }
    assertArrayEquals(object, a.bytes());
  }

  @Test
  void aDeclaredSizeCostsOnlyWhatArrived() {
    long declared = 64L << 20;
    long before = THREADS.getCurrentThreadAllocatedBytes();
    ChunkAssembler a = new ChunkAssembler("x", declared, NONE, declared);
    assertFalse(a.add(ByteString.copyFrom(new byte[] {1})));
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < (1 << 20), "one byte of a 64 MiB object allocated " + allocated + " bytes");
  }

  @Test
  void refusesOtherSizesEmptyAndExcessChunks() {
    assertThrows(ServiceException.class, () -> new ChunkAssembler("x", 5, NONE, 4, 6));
    ChunkAssembler a = new ChunkAssembler("x", 4, NONE, 4);
    assertThrows(ServiceException.class, () -> a.add(ByteString.EMPTY));
    assertThrows(ServiceException.class, () -> a.add(ByteString.copyFrom(new byte[5])));
    a.add(ByteString.copyFrom(new byte[3]));
    assertThrows(IllegalStateException.class, a::bytes);
    assertThrows(ServiceException.class, () -> a.add(ByteString.copyFrom(new byte[2])));
    assertTrue(a.add(ByteString.copyFrom(new byte[1])));
    assertArrayEquals(new byte[4], Arrays.copyOf(a.bytes(), 4));
  }
}
