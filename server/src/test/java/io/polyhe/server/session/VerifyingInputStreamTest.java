package io.polyhe.server.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The end-of-stream check that stands between a key store's bytes and the key parser. */
class VerifyingInputStreamTest {
  static final byte[] BYTES = "evaluation keys, or so".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final String SHA = sha(BYTES);

  static String sha(byte[] b) {
    var d = Sha256.newDigest();
    d.update(b);
    return Sha256.hex(d);
  }

  static InputStream over(byte[] stored) {
    return new VerifyingInputStream(new ByteArrayInputStream(stored), BYTES.length, SHA);
  }

  @Test
  void theDescribedBytesReadThroughToTheEnd() throws IOException {
    try (InputStream in = over(BYTES)) {
      assertEquals(BYTES[0], in.read());
      assertArrayEquals(Arrays.copyOfRange(BYTES, 1, BYTES.length), in.readAllBytes());
      assertEquals(-1, in.read());
    }
  }

  @Test
  void aFlippedShortOrLongFileFailsAtTheLatestAtItsEnd() {
    byte[] flipped = BYTES.clone();
    flipped[3] ^= 1;
    assertEquals("key file checksum mismatch",
        assertThrows(DamagedFileException.class, () -> over(flipped).readAllBytes()).getMessage());
    assertEquals("key file shorter than its description", assertThrows(DamagedFileException.class,
        () -> over(Arrays.copyOf(BYTES, BYTES.length - 1)).readAllBytes()).getMessage());
    assertEquals("key file longer than its description", assertThrows(DamagedFileException.class,
        () -> over(Arrays.copyOf(BYTES, BYTES.length + 1)).readAllBytes()).getMessage());
  }

  @Test
  void skippedBytesAreHashedToo() throws IOException {
    try (InputStream in = over(BYTES)) {
      assertEquals(5, in.skip(5));
      in.readAllBytes();
    }
    byte[] flipped = BYTES.clone();
    flipped[1] ^= 1;
    assertThrows(DamagedFileException.class, () -> {
      try (InputStream in = over(flipped)) {
        in.skip(5);
        in.readAllBytes();
      }
    });
  }
}
