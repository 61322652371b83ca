package io.polyhe.server.session;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A key file's bytes as they are read, checked against its description: at the end of the stream
 * (the read that would return -1) it throws {@link DamagedFileException} unless exactly {@code
 * bytes} bytes with SHA-256 {@code sha256} came, and it throws as soon as more than {@code bytes}
 * arrive. So a reader that reads to the end never accepts damaged keys, whatever the store. Not
 * thread-safe; {@code mark} is not supported (every byte read is hashed once).
 */
public final class VerifyingInputStream extends InputStream {
  private final InputStream in;
  private final long bytes;
  private final String sha256;
  private final MessageDigest digest = Sha256.newDigest();
  private long read;
  private boolean verified;

  /**
   * @param in the stored bytes (closed with this stream)
   * @param bytes the size the description states
   * @param sha256 the hex SHA-256 the description states
   */
  public VerifyingInputStream(InputStream in, long bytes, String sha256) {
    this.in = in;
    this.bytes = bytes;
    this.sha256 = sha256;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, len);
    if (n < 0) {
      verify();
      return -1;
    }
    read += n;
    if (read > bytes) {
      throw new DamagedFileException("key file longer than its description");
    }
    digest.update(b, off, n);
    return n;
  }

  private void verify() throws DamagedFileException {
    if (verified) {
      return;
    }
    if (read != bytes) {
      throw new DamagedFileException("key file shorter than its description");
    }
    if (!Sha256.hex(digest).equals(sha256)) {
      throw new DamagedFileException("key file checksum mismatch");
    }
    verified = true;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
