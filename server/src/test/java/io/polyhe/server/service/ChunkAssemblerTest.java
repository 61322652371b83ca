package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** The chunk-count and decoded-size limits of one object: exactly at the limit passes, one past is refused. */
class ChunkAssemblerTest {

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
}
