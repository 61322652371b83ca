package io.polyhe.he.ring;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHAKEDigest;

/**
 * A SHAKE-256 extendable-output stream keyed by a 32-byte seed and a domain label. The same seed
 * and label give the same stream on every machine, which is what makes seeded ciphertexts and keys
 * reproducible. Not thread-safe (one stream per sampling task).
 *
 * <p>{@link #noise} streams are for randomness nobody else expands (public- and secret-key
 * encryption's {@code u} and errors): AES-256 in counter mode keyed by SHAKE-256 of the seed and
 * label, which the JDK runs with the CPU's AES instructions, many times faster than SHAKE in Java
 * (public-key encryption at N = 2^14 spent most of its time squeezing SHAKE for its 280 KB of
 * noise; docs/decisions.md). Streams that others expand from a seed on the wire (the {@code a} of
 * seeded keys and ciphertexts) stay SHAKE-256, which the formats pin.
 */
public final class Xof {
  /** Seed length in bytes. */
  public static final int SEED_BYTES = 32;

  /** Eight bytes as one little-endian load (the byte-by-byte assembly cost more than AES). */
  private static final java.lang.invoke.VarHandle LITTLE_ENDIAN_LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private final SHAKEDigest shake;
  private final Cipher aes;
  private final byte[] buffer;
  private int position;

  /** Absorbs {@code seed || 0x00 || label} and starts squeezing. */
  public Xof(byte[] seed, String label) {
    this.shake = absorb(seed, label);
    this.aes = null;
    this.buffer = new byte[1088];
    this.position = buffer.length;
  }

  private Xof(Cipher aes) {
    this.shake = null;
    this.aes = aes;
    this.buffer = new byte[8192];
    this.position = buffer.length;
  }

  /**
   * A private noise stream: the AES-256-CTR keystream (zero counter block) under the first 32
   * bytes of the SHAKE-256 stream of {@code seed}, {@code label} and {@code "/aes-256-ctr"}. Same
   * seed and label, same stream on every machine.
   */
  public static Xof noise(byte[] seed, String label) {
    byte[] key = new byte[32];
    absorb(seed, label + "/aes-256-ctr").doOutput(key, 0, key.length);
    try {
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      return new Xof(c);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks AES/CTR/NoPadding", e);
    } finally {
      java.util.Arrays.fill(key, (byte) 0);
    }
  }

  private static SHAKEDigest absorb(byte[] seed, String label) {
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("seed must be " + SEED_BYTES + " bytes, got " + seed.length);
    }
    SHAKEDigest shake = new SHAKEDigest(256);
    shake.update(seed, 0, seed.length);
    shake.update((byte) 0);
    byte[] l = label.getBytes(StandardCharsets.UTF_8);
    shake.update(l, 0, l.length);
    return shake;
  }

  private void refill() {
    if (aes != null) {
      // The keystream itself: CTR encryption of zeros.
      java.util.Arrays.fill(buffer, (byte) 0);
      try {
        aes.update(buffer, 0, buffer.length, buffer, 0);
      } catch (javax.crypto.ShortBufferException e) {
        throw new IllegalStateException(e);
      }
    } else {
      shake.doOutput(buffer, 0, buffer.length);
    }
    position = 0;
  }

  /** Next byte, 0..255. */
  public int nextByte() {
    if (position == buffer.length) {
      refill();
    }
    return buffer[position++] & 0xff;
  }

  /** Next 64-bit word, little-endian. */
  public long nextLong() {
    if (buffer.length - position < 8) {
      // Keep the stream contiguous: take the remaining bytes one by one.
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= ((long) nextByte()) << (8 * i);
      }
      return v;
    }
    long v = (long) LITTLE_ENDIAN_LONG.get(buffer, position);
    position += 8;
    return v;
  }

  /** The next {@code count} (1..8) bytes as a little-endian unsigned integer. */
  public long nextLong(int count) {
    if (count < 1 || count > 8) {
      throw new IllegalArgumentException("byte count must be in [1, 8], got " + count);
    }
    if (buffer.length - position < count) {
      long v = 0;
      for (int i = 0; i < count; i++) {
        v |= ((long) nextByte()) << (8 * i);
      }
      return v;
    }
    long v = 0;
    for (int i = 0; i < count; i++) {
      v |= ((long) (buffer[position + i] & 0xff)) << (8 * i);
    }
    position += count;
    return v;
  }

  /** Fills {@code out} with the next bytes. */
  public void nextBytes(byte[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) nextByte();
    }
  }
}
