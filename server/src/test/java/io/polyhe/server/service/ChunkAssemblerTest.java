package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkAssemblerTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void assemblesChunksOfAnySizeIntoTheDeclaredObject() {
    byte[] object = new byte[100_000];
    new Random(1).nextBytes(object);
    ChunkAssembler a = new ChunkAssembler("x", object.length, 17, object.length);
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
    ChunkAssembler a = new ChunkAssembler("x", declared, declared);
    assertFalse(a.add(ByteString.copyFrom(new byte[] {1})));
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < (1 << 20), "one byte of a 64 MiB object allocated " + allocated + " bytes");
  }

  @Test
  void refusesOtherSizesEmptyAndExcessChunks() {
    assertThrows(ServiceException.class, () -> new ChunkAssembler("x", 5, 4, 6));
    ChunkAssembler a = new ChunkAssembler("x", 4, 4);
    assertThrows(ServiceException.class, () -> a.add(ByteString.EMPTY));
    assertThrows(ServiceException.class, () -> a.add(ByteString.copyFrom(new byte[5])));
    a.add(ByteString.copyFrom(new byte[3]));
    assertThrows(IllegalStateException.class, a::bytes);
    assertThrows(ServiceException.class, () -> a.add(ByteString.copyFrom(new byte[2])));
    assertTrue(a.add(ByteString.copyFrom(new byte[1])));
    assertArrayEquals(new byte[4], Arrays.copyOf(a.bytes(), 4));
  }
}
