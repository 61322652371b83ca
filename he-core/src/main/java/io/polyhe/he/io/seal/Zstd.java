package io.polyhe.he.io.seal;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdInputStream;
import io.polyhe.he.io.HeFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Zstandard frames for SEAL's {@code zstd} mode, through aircompressor's pure-Java codec. SEAL
 * compresses the members of an object (everything after its header) into standard frames, so any
 * conforming codec reads and writes them. Stateless and thread-safe.
 */
final class Zstd {
  private Zstd() {}

  static byte[] compress(byte[] in) {
    ZstdCompressor compressor = new ZstdCompressor();
    byte[] out = new byte[compressor.maxCompressedLength(in.length)];
    int size = compressor.compress(in, 0, in.length, out, 0, out.length);
    return Arrays.copyOf(out, size);
  }

  /**
   * Decompresses {@code in[from, to)}, refusing output beyond {@code maxBytes} before it is
   * buffered (the limit comes from what the expected object can hold, so a small frame cannot
   * blow up into gigabytes).
   *
   * @throws HeFormatException if the data is not valid zstd or decompresses beyond the limit
   */
  static byte[] decompress(byte[] in, int from, int to, long maxBytes, String what) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(1 << 20, to - from + 64));
    byte[] chunk = new byte[1 << 16];
    long total = 0;
    try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(in, from, to - from))) {
      int read;
      while ((read = z.read(chunk, 0, chunk.length)) > 0) {
        total += read;
        if (total > maxBytes) {
          throw new HeFormatException(what + ": zstd data decompresses to more than " + maxBytes
              + " bytes, the most this object can hold under these parameters");
        }
        out.write(chunk, 0, read);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof HeFormatException h) {
        throw h;
      }
      throw new HeFormatException(what + ": invalid zstd data: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }
}
