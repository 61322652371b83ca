package io.polyhe.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.polyhe.proto.v1.CiphertextChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunksTest {
  @Test
  void slicesAreInOrderAtMostOneMiBAndConcatenateToTheInput() {
    for (int n : new int[] {0, 1, Chunks.MAX_BYTES - 1, Chunks.MAX_BYTES, Chunks.MAX_BYTES + 1, 3 * Chunks.MAX_BYTES + 7}) {
      byte[] bytes = new byte[n];
      new Random(n).nextBytes(bytes);
      List<ByteString> raw = new ArrayList<>();
      Chunks.split(bytes, raw::add);
      List<CiphertextChunk> cts = new ArrayList<>();
      Chunks.ciphertext(bytes, cts::add);
      assertEquals((n + Chunks.MAX_BYTES - 1) / Chunks.MAX_BYTES, raw.size(), n + " bytes");
      assertEquals(raw.size(), cts.size());
      ByteString joined = ByteString.EMPTY;
      for (int i = 0; i < raw.size(); i++) {
        assertTrue(raw.get(i).size() >= 1 && raw.get(i).size() <= Chunks.MAX_BYTES);
        assertEquals(raw.get(i), cts.get(i).getData());
        assertEquals(i == 0 ? n : 0, cts.get(i).getTotalBytes(), "only the first chunk carries the size");
        joined = joined.concat(raw.get(i));
      }
      assertArrayEquals(bytes, joined.toByteArray());
    }
  }
}
